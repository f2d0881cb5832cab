import type { Child, FC } from 'hono/jsx';

/** Every page: the same head, a header with where you are, the console's own style and script (nothing from elsewhere). */
export const Layout: FC<{ readonly title: string; readonly tenant: string; readonly children?: Child }> = ({ title, tenant, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · Usher console`}</title>
      <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href="/assets/console.css" />
      <script src="/assets/console.js" defer />
    </head>
    <body>
      <header class="site">
        <a class="brand" href={`/?tenant=${encodeURIComponent(tenant)}`}>
          Usher console
        </a>
        <nav aria-label="Console">
          <a href={`/?tenant=${encodeURIComponent(tenant)}`}>Rooms</a>
          <a href={`/log?tenant=${encodeURIComponent(tenant)}`}>Log</a>
        </nav>
        <span class="tenant">
          tenant <strong>{tenant}</strong>
        </span>
      </header>
      <main>{children}</main>
    </body>
  </html>
);

/** A page that says one thing: an unknown room, a bad instant, a store that does not answer. */
export const MessagePage: FC<{ readonly title: string; readonly tenant: string; readonly message: string; readonly back?: string }> = ({
  title,
  tenant,
  message,
  back,
}) => (
  <Layout title={title} tenant={tenant}>
    <h1>{title}</h1>
    <p role="alert">{message}</p>
    <p>
      <a href={back ?? `/?tenant=${encodeURIComponent(tenant)}`}>Back to the rooms</a>
    </p>
  </Layout>
);
