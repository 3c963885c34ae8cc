import { useState, type SubmitEvent } from 'react';
import type { AppError, Contact } from '../backend';
import { useBackend } from '../BackendContext';
import { splitErrors, toAppError, type SplitErrors } from '../lib/errors';
import { CONTACT_FIELDS, contactCreateInput, contactFormValues, contactPatch, isEmptyPatch, type ContactField } from '../lib/form';
import { ConfirmDelete } from './ConfirmDelete';
import { ProfileForm } from './crm/ProfileForm';
import { Field } from './Field';

const LABEL: Record<ContactField, string> = { name: 'Name', email: 'E-mail', phone: 'Phone' };
const INPUT_TYPE: Record<ContactField, string> = { name: 'text', email: 'email', phone: 'tel' };

interface ContactFormProps {
  accountId: string;
  /** The contact to edit; null to add one. */
  contact: Contact | null;
  onDone: () => void;
  onCancel: () => void;
}

function ContactForm({ accountId, contact, onDone, onCancel }: ContactFormProps) {
  const backend = useBackend();
  const [original] = useState(() => contactFormValues(contact));
  const [values, setValues] = useState(original);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    let save: Promise<Contact>;
    if (contact === null) {
      save = backend.addContact(accountId, contactCreateInput(values));
    } else {
      const patch = contactPatch(original, values);
      if (isEmptyPatch(patch)) {
        onCancel();
        return;
      }
      save = backend.updateContact(contact.id, patch);
    }
    setSaving(true);
    setError(null);
    save.then(onDone, (err: unknown) => {
      setSaving(false);
      setError(toAppError(err));
    });
  };

  const { byField, general }: SplitErrors<ContactField> =
    error === null ? { byField: {}, general: null } : splitErrors(error, CONTACT_FIELDS);

  return (
    <form className="form contact-form" onSubmit={submit} noValidate aria-label={contact === null ? 'New contact' : `Edit ${contact.name}`}>
      <div className="contact-form-fields">
        {CONTACT_FIELDS.map((field, i) => (
          <Field
            key={field}
            id={`contact-${field}`}
            label={LABEL[field]}
            type={INPUT_TYPE[field]}
            required={field === 'name'}
            autoFocus={i === 0}
            value={values[field]}
            onChange={(value) => {
              setValues((v) => ({ ...v, [field]: value }));
            }}
            error={byField[field]}
          />
        ))}
      </div>
      {general !== null && (
        <p className="form-error" role="alert">
          {general}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button button--small" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        <button id="contact-save" type="submit" className="button button--primary button--small" disabled={saving}>
          {saving ? 'Saving…' : contact === null ? 'Add contact' : 'Save contact'}
        </button>
      </div>
    </form>
  );
}

interface ContactRowProps {
  contact: Contact;
  onEdit: () => void;
  onChanged: () => void;
}

function ContactRow({ contact, onEdit, onChanged }: ContactRowProps) {
  const backend = useBackend();
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [profileOpen, setProfileOpen] = useState(false);

  const remove = () => {
    setDeleting(true);
    backend.deleteContact(contact.id).then(onChanged, (err: unknown) => {
      setDeleting(false);
      setError(toAppError(err).message);
    });
  };

  return (
    <li data-testid="contact-row" data-id={contact.id} className="contact-row">
      <div className="contact-main">
        <span className="contact-name">
          {contact.name}
          {contact.pending && <span className="pending-dot" title="Not yet synced" aria-label="Not yet synced" />}
        </span>
        <span className="muted contact-means">
          {contact.email !== null && <a href={`mailto:${contact.email}`}>{contact.email}</a>}
          {contact.phone !== null && <span>{contact.phone}</span>}
        </span>
        {error !== null && (
          <span className="form-error" role="alert">
            {error}
          </span>
        )}
      </div>
      <div className="row-actions">
        <button type="button" className="button button--small button--quiet" onClick={onEdit}>
          Edit
        </button>
        <button
          type="button"
          className="button button--small button--quiet contact-profile"
          onClick={() => {
            setProfileOpen(true);
          }}
        >
          Owner, tags &amp; fields
        </button>
        {profileOpen && (
          <ProfileForm
            entity="contact"
            id={contact.id}
            name={contact.name}
            onSaved={() => {
              setProfileOpen(false);
              onChanged();
            }}
            onClose={() => {
              setProfileOpen(false);
            }}
          />
        )}
        <ConfirmDelete label="Delete" question="Delete this contact?" onConfirm={remove} busy={deleting} />
      </div>
    </li>
  );
}

interface ContactsProps {
  accountId: string;
  contacts: Contact[];
  /** A contact was added, changed or deleted. */
  onChanged: () => void;
}

type Editing = { kind: 'none' } | { kind: 'new' } | { kind: 'edit'; id: string };

export function Contacts({ accountId, contacts, onChanged }: ContactsProps) {
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const close = () => {
    setEditing({ kind: 'none' });
  };
  const done = () => {
    close();
    onChanged();
  };

  return (
    <section className="contacts" aria-labelledby="contacts-title">
      <header className="section-header">
        <h3 id="contacts-title">Contacts ({contacts.length})</h3>
        {editing.kind === 'none' && (
          <button
            id="add-contact"
            type="button"
            className="button button--small"
            onClick={() => {
              setEditing({ kind: 'new' });
            }}
          >
            Add contact
          </button>
        )}
      </header>
      {editing.kind === 'new' && <ContactForm accountId={accountId} contact={null} onDone={done} onCancel={close} />}
      {contacts.length === 0 && editing.kind !== 'new' ? (
        <p className="empty">No contacts yet.</p>
      ) : (
        <ul className="contact-list">
          {contacts.map((contact) =>
            editing.kind === 'edit' && editing.id === contact.id ? (
              <li key={contact.id} data-testid="contact-row" data-id={contact.id} className="contact-row contact-row--editing">
                <ContactForm accountId={accountId} contact={contact} onDone={done} onCancel={close} />
              </li>
            ) : (
              <ContactRow
                key={contact.id}
                contact={contact}
                onChanged={onChanged}
                onEdit={() => {
                  setEditing({ kind: 'edit', id: contact.id });
                }}
              />
            ),
          )}
        </ul>
      )}
    </section>
  );
}
