export type Screen = 'accounts' | 'leads' | 'deals' | 'calendar' | 'orders' | 'deliveries' | 'invoices' | 'payments' | 'products' | 'stock' | 'reports';

const SCREENS: { screen: Screen; label: string }[] = [
  { screen: 'accounts', label: 'Accounts' },
  { screen: 'leads', label: 'Leads' },
  { screen: 'deals', label: 'Deals' },
  { screen: 'calendar', label: 'Calendar' },
  { screen: 'orders', label: 'Orders' },
  { screen: 'deliveries', label: 'Deliveries' },
  { screen: 'invoices', label: 'Invoices' },
  { screen: 'payments', label: 'Payments' },
  { screen: 'products', label: 'Products' },
  { screen: 'stock', label: 'Stock' },
  { screen: 'reports', label: 'Reports' },
];

/** Switches between the accounts and deals screens and the back-office screens. */
export function ScreenNav({ screen, onChange }: { screen: Screen; onChange: (screen: Screen) => void }) {
  return (
    <nav className="screen-nav no-print" aria-label="Screens">
      {SCREENS.map((s) => (
        <button
          key={s.screen}
          id={`nav-${s.screen}`}
          type="button"
          className={s.screen === screen ? 'nav-tab nav-tab--active' : 'nav-tab'}
          aria-current={s.screen === screen ? 'page' : undefined}
          onClick={() => {
            onChange(s.screen);
          }}
        >
          {s.label}
        </button>
      ))}
    </nav>
  );
}
