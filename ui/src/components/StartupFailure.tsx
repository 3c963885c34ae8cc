import type { AppError } from '../backend';

/** Shown instead of the app when its data could not be opened (e.g. an update's migration failed). */
export function StartupFailure({ error }: { error: AppError }) {
  const title = error.code === 'migration_failed' ? 'This update could not open your data' : 'Tandem could not open your data';
  return (
    <main id="startup-error" className="startup-failure" role="alert">
      <h1>{title}</h1>
      <p>{error.message}</p>
      <p className="muted">Code: {error.code}</p>
    </main>
  );
}
