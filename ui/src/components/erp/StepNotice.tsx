import { stepMessage, type StepState } from '../../lib/erp';

/** What became of a step the server decides; a refusal is shown prominently with its reason. */
export function StepNotice({ step, what, id }: { step: StepState; what: string; id: string }) {
  if (step.phase === 'idle') {
    return null;
  }
  if (step.phase === 'rejected') {
    return (
      <div id={id} className="notice notice--error step-rejected" role="alert" data-phase={step.phase}>
        <strong>{what} was refused by the server.</strong>
        <p className="step-reason">{step.reason}</p>
        <span className="code">{step.code}</span>
      </div>
    );
  }
  const cls =
    step.phase === 'failed' ? 'notice notice--error' : step.phase === 'queued' ? 'notice notice--warn' : step.phase === 'applied' ? 'notice notice--ok' : 'notice';
  return (
    <div id={id} className={cls} role={step.phase === 'failed' ? 'alert' : 'status'} data-phase={step.phase}>
      {stepMessage(step, what)}
    </div>
  );
}
