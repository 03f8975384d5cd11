import { useState } from 'react';
import type { Column, ColumnProfile, Condition, Step } from '../api/types.js';
import { describeStep } from './describe.js';
import { withScope } from './scope.js';
import { defaults, type StepForm, type Values } from './step-forms.js';

interface Props {
  form: StepForm;
  column: string;
  columns: Column[];
  /** A few values of the column from the rows on screen, for the before/after preview. */
  sample: string[];
  /** The facets' selection, which a value-changing step is limited to (its record says so). */
  scope?: Condition | undefined;
  /** The column's profile, for the form's notice (blank cells a fill would skip). */
  profile?: ColumnProfile | undefined;
  onBack: () => void;
  /** Resolves to the error message when the step was refused. */
  onApply: (s: Step) => Promise<string | undefined>;
}

export function StepFormView({ form, column, columns, sample, scope, profile, onBack, onApply }: Props) {
  const [values, setValues] = useState<Values>(() => defaults(form));
  const [refused, setRefused] = useState<string>();
  const set = (k: string, v: Values[string]) => setValues({ ...values, [k]: v });
  let step: Step | undefined;
  let problem: string | undefined;
  try {
    step = form.build(column, values, columns);
  } catch (e) {
    problem = (e as Error).message;
  }
  const preview = form.preview;
  const notice = profile && form.notice?.(column, profile);
  return (
    <form
      className="step-form"
      data-testid={`form-${form.id}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (step) void onApply(step).then(setRefused);
      }}
    >
      <h3>{form.label}</h3>
      {notice && (
        <p className="notice small" data-testid="form-notice">
          {notice}
        </p>
      )}
      {form.fields.map((f) => {
        const id = `f-${form.id}-${f.key}`;
        if (f.kind === 'checkbox')
          return (
            <label key={f.key} className="check">
              <input
                id={id}
                type="checkbox"
                checked={values[f.key] === true}
                onChange={(e) => set(f.key, e.target.checked)}
              />{' '}
              {f.label}
            </label>
          );
        if (f.kind === 'select')
          return (
            <div key={f.key} className="field">
              <label htmlFor={id}>{f.label}</label>
              <select id={id} value={String(values[f.key])} onChange={(e) => set(f.key, e.target.value)}>
                {f.options.map(([v, label]) => (
                  <option key={v} value={v}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
          );
        if (f.kind === 'columns')
          return (
            <fieldset key={f.key}>
              <legend>{f.label}</legend>
              {columns
                .filter((c) => c.name !== column)
                .map((c) => {
                  const chosen = (values[f.key] as string[]).includes(c.name);
                  return (
                    <label key={c.name} className="check">
                      <input
                        type="checkbox"
                        checked={chosen}
                        onChange={() =>
                          set(
                            f.key,
                            chosen
                              ? (values[f.key] as string[]).filter((x) => x !== c.name)
                              : [...(values[f.key] as string[]), c.name],
                          )
                        }
                      />{' '}
                      {c.name}
                    </label>
                  );
                })}
            </fieldset>
          );
        return (
          <div key={f.key} className="field">
            <label htmlFor={id}>{f.label}</label>
            <input
              id={id}
              value={String(values[f.key] ?? '')}
              placeholder={f.placeholder}
              onChange={(e) => set(f.key, e.target.value)}
            />
            {f.help && <span className="muted small">{f.help}</span>}
          </div>
        );
      })}
      {step && <p className="muted small">Records: {describeStep(withScope(step, scope))}</p>}
      {problem && <p className="error">{problem}</p>}
      {preview && sample.length > 0 && (
        <table className="preview" data-testid="preview">
          <caption className="muted small">
            {scope ? 'Preview on rows the facets select' : 'Preview on rows on screen'}
          </caption>
          <thead>
            <tr>
              <th>before</th>
              <th>after</th>
            </tr>
          </thead>
          <tbody>
            {sample.map((v, i) => {
              const after = preview(v, values);
              return (
                <tr key={i}>
                  <td>{JSON.stringify(v)}</td>
                  <td className={after !== null && after !== v ? 'changed' : ''}>
                    {after === null ? '(shown after applying)' : JSON.stringify(after)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {refused && (
        <p className="error" role="alert" data-testid="step-error">
          {refused}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={!step}>
          Apply
        </button>
        <button type="button" className="link" onClick={onBack}>
          back
        </button>
      </div>
    </form>
  );
}
