import { AsyncApiDocument } from './asyncapi.builder';

type Node = Record<string, unknown>;

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Follow `$ref` JSON pointers inside the document until a node without one. */
export function resolveRef(document: AsyncApiDocument, node: unknown): Node {
  let current = node as Node;
  for (let hops = 0; typeof current?.$ref === 'string' && hops < 10; hops++) {
    const path = (current.$ref as string).replace(/^#\//, '').split('/').map(decodeURIComponent);
    current = path.reduce<unknown>((parent, key) => (parent as Node | undefined)?.[key], document) as Node;
  }
  return current ?? {};
}

/** Pretty JSON in which each reference to a component schema links to that schema's section. */
function schemaBlock(schema: unknown): string {
  const text = escapeHtml(JSON.stringify(schema, null, 2) ?? 'none');
  const linked = text.replace(
    /&quot;#\/components\/schemas\/([A-Za-z0-9_.-]+)&quot;/g,
    (_match, name: string) => `&quot;<a href="#schema-${name}">#/components/schemas/${name}</a>&quot;`,
  );
  return `<pre>${linked}</pre>`;
}

/** Render a payload that refers to one component schema as that schema, with a link to its section. */
function payloadBlock(document: AsyncApiDocument, payload: unknown): string {
  const ref = (payload as Node).$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) return schemaBlock(payload);
  const name = ref.slice('#/components/schemas/'.length);
  return `<p>Schema <a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>:</p>${schemaBlock(resolveRef(document, payload))}`;
}

function operationSection(document: AsyncApiDocument, operation: Node): string {
  const message = resolveRef(document, (operation.messages as unknown[])[0]);
  const parts = [
    `<section id="event-${escapeHtml(String(operation.action))}-${escapeHtml(String(message.name))}">`,
    `<h3><code>${escapeHtml(String(message.name))}</code></h3>`,
    `<p>${escapeHtml(String(operation.summary ?? ''))}</p>`,
  ];
  parts.push(
    '<h4>Payload</h4>',
    message.payload ? payloadBlock(document, message.payload) : `<p>${escapeHtml(String(message.description ?? 'None'))}</p>`,
  );

  const reply = operation.reply as Node | undefined;
  if (reply) {
    const ack = resolveRef(document, (reply.messages as unknown[])[0]);
    parts.push('<h4>Ack</h4>', `<p>${escapeHtml(String(ack.description ?? ''))}</p>`, schemaBlock(ack.payload));
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** Render the document as one self-contained HTML page: no scripts, no external assets. */
export function renderAsyncApiHtml(document: AsyncApiDocument): string {
  const info = document.info as Node;
  const operations = Object.values(document.operations);
  const received = operations.filter((operation) => operation.action === 'receive');
  const sent = operations.filter((operation) => operation.action === 'send');
  const server = Object.values(document.servers)[0];
  const security = (document.components as Node).securitySchemes as Record<string, Node>;

  const paragraphs = (text: unknown) =>
    String(text ?? '')
      .split('\n\n')
      .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
      .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(String(info.title))}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1d1d1f; }
  pre { background: #f5f5f7; padding: 0.75rem; overflow-x: auto; font-size: 0.85rem; }
  section { border-top: 1px solid #ddd; padding-top: 0.5rem; }
  code { font-size: 1.05em; }
</style>
</head>
<body>
<h1>${escapeHtml(String(info.title))}</h1>
<p>AsyncAPI ${escapeHtml(String(document.asyncapi))}, version ${escapeHtml(String(info.version))}. Machine-readable form: <a href="/docs/socket.json">/docs/socket.json</a>.</p>
${paragraphs(info.description)}
<h2>Connection</h2>
<p><code>${escapeHtml(`${String(server.protocol)}://${String(server.host)}${String(server.pathname)}`)}</code></p>
${paragraphs(server.description)}
<ul>
${Object.values(security)
  .map((scheme) => `<li>${escapeHtml(String(scheme.description))}</li>`)
  .join('\n')}
</ul>
<h2>Client to server</h2>
${received.map((operation) => operationSection(document, operation)).join('\n')}
<h2>Server to client</h2>
${sent.map((operation) => operationSection(document, operation)).join('\n')}
<h2>Schemas</h2>
${Object.entries(document.components.schemas)
  .map(([name, schema]) => `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${schemaBlock(schema)}</section>`)
  .join('\n')}
</body>
</html>
`;
}
