import { useCallback, useState, type SubmitEvent } from 'react';
import type { FieldDef, Profile } from '../../backend';
import { useBackend } from '../../BackendContext';
import { useLoaded } from '../../hooks/useLoaded';
import { isEmptyPatch } from '../../lib/form';
import { toAppError } from '../../lib/errors';
import {
  customHint,
  profileErrors,
  profileFormValues,
  profileInput,
  splitTags,
  type ProfileErrors,
  type ProfileFormValues,
} from '../../lib/profiles';
import { Field } from '../Field';
import { LoadStatus } from '../LoadStatus';
import { Modal } from '../Modal';

type Entity = 'account' | 'contact';

interface ProfileFormProps {
  entity: Entity;
  id: string;
  /** The record's name, for the title. */
  name: string;
  /** The profile when the caller has it already; else it is read. */
  profile?: Profile | undefined;
  onSaved: () => void;
  onClose: () => void;
}

/** "Edit owner, tags & fields" of an account or a contact, in a dialog. */
export function ProfileForm({ entity, id, name, profile, onSaved, onClose }: ProfileFormProps) {
  const backend = useBackend();
  // The profile as the dialog opened: a newer one arriving (a sync) must not reset the form.
  const [given] = useState(profile);
  const load = useCallback(
    () => Promise.all([backend.crmCustomFields(entity), given === undefined ? backend.crmProfile(id) : Promise.resolve(given)]),
    [backend, entity, id, given],
  );
  const loaded = useLoaded(load, 0);
  const { data } = loaded;

  return (
    <Modal title={`Owner, tags & fields of ${name}`} titleId="profile-title" onClose={onClose} wide>
      <LoadStatus loaded={loaded} />
      {data !== null && <ProfileFields entity={entity} id={id} defs={data[0]} profile={data[1]} onSaved={onSaved} onClose={onClose} />}
    </Modal>
  );
}

interface ProfileFieldsProps {
  entity: Entity;
  id: string;
  defs: FieldDef[];
  profile: Profile;
  onSaved: () => void;
  onClose: () => void;
}

function ProfileFields({ entity, id, defs, profile, onSaved, onClose }: ProfileFieldsProps) {
  const backend = useBackend();
  const [original] = useState(() => profileFormValues(profile, defs));
  const [values, setValues] = useState<ProfileFormValues>(original);
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<ProfileErrors | null>(null);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const input = profileInput(original, values);
    if (isEmptyPatch(input)) {
      onClose();
      return;
    }
    setSaving(true);
    setErrors(null);
    backend.crmEditProfile(entity, id, input).then(onSaved, (err: unknown) => {
      setSaving(false);
      setErrors(profileErrors(toAppError(err), defs));
    });
  };

  const tags = splitTags(values.tags);
  const general = errors?.general ?? null;
  const setCustom = (key: string, value: string) => {
    setValues((v) => ({ ...v, custom: { ...v.custom, [key]: value } }));
  };

  return (
    <form id="profile-form" className="form" onSubmit={submit} noValidate aria-label="Owner, tags and custom fields">
      <div className="form-grid">
        <Field
          id="profile-owner"
          label="Owner"
          autoFocus
          value={values.owner}
          placeholder="a user name"
          onChange={(owner) => {
            setValues((v) => ({ ...v, owner }));
          }}
          error={errors?.owner}
        />
        <div>
          <Field
            id="profile-tags"
            label="Tags (comma-separated)"
            value={values.tags}
            placeholder="key account, fair 2026"
            onChange={(text) => {
              setValues((v) => ({ ...v, tags: text }));
            }}
            error={errors?.tags}
          />
          {tags.length > 0 && <TagChips tags={tags} />}
        </div>
        {defs.map((def) => (
          <CustomInput
            key={def.key}
            def={def}
            value={values.custom[def.key] ?? ''}
            onChange={(v) => {
              setCustom(def.key, v);
            }}
            error={errors?.custom[def.key]}
          />
        ))}
      </div>
      {general !== null && (
        <p id="profile-error" className="form-error" role="alert">
          {general}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose} disabled={saving}>
          Cancel
        </button>
        <button id="profile-save" type="submit" className="button button--primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

/** Tags as chips (the detail, the form's preview, the list rows). */
export function TagChips({ tags, className = 'tag-chips' }: { tags: readonly string[]; className?: string }) {
  return (
    <ul className={className} aria-label="Tags">
      {tags.map((t) => (
        <li key={t} className="tag-chip">
          {t}
        </li>
      ))}
    </ul>
  );
}

interface CustomInputProps {
  def: FieldDef;
  value: string;
  onChange: (value: string) => void;
  /** The backend's message for this field. */
  error: string | undefined;
}

/** One input per custom field, by its kind; the backend's message wins over the typing hint. */
function CustomInput({ def, value, onChange, error }: CustomInputProps) {
  const id = `profile-custom-${def.key}`;
  const label = def.required === true ? `${def.label} *` : def.label;
  const hint = error === undefined ? customHint(def, value) : null;
  const kind = def.kind;
  if (kind.type === 'choice') {
    const options = value === '' || kind.options.includes(value) ? kind.options : [value, ...kind.options];
    return (
      <div className={error === undefined ? 'field' : 'field field--invalid'}>
        <label htmlFor={id}>{label}</label>
        <select
          id={id}
          value={value}
          aria-invalid={error !== undefined}
          aria-describedby={error === undefined ? undefined : `${id}-error`}
          onChange={(e) => {
            onChange(e.target.value);
          }}
        >
          <option value="">—</option>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        {error !== undefined && (
          <p id={`${id}-error`} className="field-error">
            {error}
          </p>
        )}
      </div>
    );
  }
  const extra =
    kind.type === 'money'
      ? { label: `${label} (${kind.currency})`, inputMode: 'decimal' as const, placeholder: `0.00 ${kind.currency}` }
      : kind.type === 'number'
        ? { label, inputMode: 'decimal' as const, placeholder: '0' }
        : kind.type === 'date'
          ? { label, placeholder: 'YYYY-MM-DD' }
          : { label };
  return (
    <div>
      <Field id={id} value={value} onChange={onChange} error={error} {...extra} />
      {hint !== null && (
        <p id={`${id}-hint`} className="field-hint muted">
          {hint}
        </p>
      )}
    </div>
  );
}
