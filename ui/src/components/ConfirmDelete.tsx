import { useState } from 'react';

interface ConfirmDeleteProps {
  /** What the first button says, e.g. "Delete". */
  label: string;
  /** The question asked before deleting. */
  question: string;
  onConfirm: () => void;
  busy?: boolean;
  /** Ids for the two buttons (end-to-end tests find them by id). */
  buttonId?: string;
  confirmId?: string;
}

/** A delete button that asks once more, in place, before doing anything. */
export function ConfirmDelete({ label, question, onConfirm, busy = false, buttonId, confirmId }: ConfirmDeleteProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        id={buttonId}
        type="button"
        className="button button--danger-quiet button--small"
        onClick={() => {
          setAsking(true);
        }}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button id={confirmId} type="button" className="button button--danger button--small" onClick={onConfirm} disabled={busy}>
        {busy ? 'Deleting…' : 'Yes, delete'}
      </button>
      <button
        type="button"
        className="button button--small"
        autoFocus
        onClick={() => {
          setAsking(false);
        }}
      >
        Keep
      </button>
    </span>
  );
}
