import type { Theme } from '@glideapps/glide-data-grid';
import { useEffect, useMemo, useState } from 'react';

const DARK: Partial<Theme> = {
  accentColor: '#5aa0e6',
  accentLight: 'rgba(90,160,230,0.2)',
  textDark: '#e6e6e6',
  textMedium: '#b8b8b8',
  textLight: '#8a8a8a',
  textBubble: '#ffffff',
  bgIconHeader: '#b8b8b8',
  fgIconHeader: '#1e1e1e',
  textHeader: '#d0d0d0',
  textHeaderSelected: '#000000',
  bgCell: '#1e1e1e',
  bgCellMedium: '#262626',
  bgHeader: '#2a2a2a',
  bgHeaderHasFocus: '#333333',
  bgHeaderHovered: '#383838',
  bgBubble: '#2f2f2f',
  bgBubbleSelected: '#3a3a3a',
  bgSearchResult: '#4a4420',
  borderColor: 'rgba(255,255,255,0.12)',
  drilldownBorder: 'rgba(255,255,255,0.3)',
  linkColor: '#7ab7ff',
  headerFontStyle: '600 13px',
  baseFontStyle: '13px',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
};

const LIGHT: Partial<Theme> = {
  headerFontStyle: '600 13px',
  baseFontStyle: '13px',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
};

/** The grid follows the system's light or dark theme, as the rest of the page does through CSS. */
export function useGridTheme(): Partial<Theme> {
  const query = useMemo(() => window.matchMedia('(prefers-color-scheme: dark)'), []);
  const [dark, setDark] = useState(query.matches);
  useEffect(() => {
    const on = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener('change', on);
    return () => query.removeEventListener('change', on);
  }, [query]);
  return dark ? DARK : LIGHT;
}
