import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi, type Api, type ApiError } from './api.js';
import { useMetricsFeed } from './metrics-feed.js';
import { AuditPage } from './pages/audit.js';
import { FinetunePage } from './pages/finetune.js';
import { KeysPage } from './pages/keys.js';
import { ModelsPage } from './pages/models.js';
import { OverviewPage } from './pages/overview.js';
import { SessionsPage } from './pages/sessions.js';
import { SettingsPage } from './pages/settings.js';
import { SignIn, type Refusal } from './sign-in.js';

const PAGES = [
  { id: 'overview', title: 'Overview' },
  { id: 'keys', title: 'Keys' },
  { id: 'audit', title: 'Audit log' },
  { id: 'models', title: 'Models and hosts' },
  { id: 'sessions', title: 'Sessions' },
  { id: 'finetune', title: 'Fine-tune jobs' },
  { id: 'settings', title: 'Settings' },
] as const;
type PageId = (typeof PAGES)[number]['id'];

function currentPage(): PageId {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.find((page) => page.id === id)?.id ?? 'overview';
}

function usePage(): PageId {
  const [page, setPage] = useState(currentPage);
  useEffect(() => {
    const onChange = () => setPage(currentPage());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return page;
}

export function App() {
  const [credential, setCredential] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const page = usePage();
  const api = useMemo<Api | null>(() => {
    if (credential === null) return null;
    return createApi(credential, (error: ApiError) => {
      setCredential(null);
      setRefusal({ title: 'Your session has ended', message: `The proxy no longer accepts this credential: ${error.message}` });
    });
  }, [credential]);
  const feed = useMetricsFeed(api);

  useEffect(() => {
    const title = PAGES.find((entry) => entry.id === page)!.title;
    document.title = api ? `${title} · Proxy console` : 'Sign in · Proxy console';
  }, [page, api]);

  if (!api) {
    return (
      <SignIn
        refusal={refusal}
        onRefused={setRefusal}
        onSignedIn={(value) => {
          setRefusal(null);
          setCredential(value);
        }}
      />
    );
  }
  return (
    <div class="layout">
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header>
        <p class="brand">Proxy console</p>
        <nav aria-label="Console pages">
          <ul>
            {PAGES.map((entry) => (
              <li key={entry.id}>
                <a href={`#/${entry.id}`} aria-current={entry.id === page ? 'page' : undefined}>
                  {entry.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="secondary" onClick={() => setCredential(null)}>
          Sign out
        </button>
      </header>
      <main id="content" tabIndex={-1}>
        {page === 'overview' && <OverviewPage feed={feed} />}
        {page === 'keys' && <KeysPage api={api} />}
        {page === 'audit' && <AuditPage api={api} />}
        {page === 'models' && <ModelsPage api={api} />}
        {page === 'sessions' && <SessionsPage api={api} />}
        {page === 'finetune' && <FinetunePage api={api} />}
        {page === 'settings' && <SettingsPage api={api} />}
      </main>
    </div>
  );
}
