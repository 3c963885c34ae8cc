import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { tauriBackend, type AppError } from './backend';
import { StartupFailure } from './components/StartupFailure';
import './styles.css';

const root = document.getElementById('root');
if (root === null) {
  throw new Error('index.html has no #root element');
}
const container = createRoot(root);

// The app could not open its data at start: say why instead of showing empty screens.
tauriBackend.startupError().then(
  (failure: AppError | null) => {
    container.render(<StrictMode>{failure === null ? <App /> : <StartupFailure error={failure} />}</StrictMode>);
  },
  () => {
    container.render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  },
);
