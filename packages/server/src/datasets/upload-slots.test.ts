import { describe, expect, it } from 'vitest';
import { UploadSlots } from './upload-slots.js';

const reply = () => {
  const headers: Record<string, string> = {};
  return { headers, header: (k: string, v: string) => (headers[k] = v) };
};

describe('UploadSlots', () => {
  it('lets one user hold only their share, so another still gets a slot', () => {
    const slots = new UploadSlots({ total: 4, perUser: 2 });
    slots.take('bob', 'uploads', reply());
    slots.take('bob', 'uploads', reply());
    const r = reply();
    expect(() => slots.take('bob', 'uploads', r)).toThrow(
      /you have 2 uploads or imports under way \(at most 2 at once\)/,
    );
    expect(r.headers['retry-after']).toBe('5');
    expect(() => slots.take('alice', 'uploads', reply())).not.toThrow();
  });

  it('caps the server as a whole, and gives slots back once each', () => {
    const slots = new UploadSlots({ total: 2, perUser: 2 });
    const a = slots.take('a', 'uploads', reply());
    slots.take('b', 'imports', reply());
    expect(() => slots.take('c', 'imports', reply())).toThrow(/too many imports at once on this server/);
    a();
    a();
    slots.take('c', 'imports', reply());
    expect(() => slots.take('d', 'uploads', reply())).toThrow(/too many uploads/);
  });
});
