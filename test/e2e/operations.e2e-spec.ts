import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startApp, TestApp } from '../support/app';
import { api, registerUser } from '../support/clients';

describe('operations [PGlite]', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp();
  });

  afterAll(async () => {
    await app.close();
  });

  it('reports readiness with a database check', async () => {
    const ready = await request(app.url).get('/health');
    const live = await request(app.url).get('/health/live');

    expect(ready.status).toBe(200);
    expect(ready.body.details.database.status).toBe('up');
    expect(live.body).toEqual({ status: 'ok' });
  });

  it('serves Swagger UI and a document covering every route', async () => {
    const ui = await request(app.url).get('/docs/');
    const document = await request(app.url).get('/docs-json');
    const paths = Object.keys(document.body.paths);

    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
    expect(document.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const path of [
      '/api/users/register',
      '/api/users/login',
      '/api/users/me',
      '/api/messages/send',
      '/api/conversations',
      '/health',
    ]) {
      expect(paths).toContain(path);
    }
    expect(paths).toContain('/api/messages/history/{conversationID}');
    expect(document.body.paths['/api/messages/send'].post.responses['429'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ErrorView',
    );
  });

  it('returns the shared error shape for an unknown route', async () => {
    const response = await request(app.url).get('/api/nothing-here');

    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 404, error: 'NOT_FOUND' });
  });

  it('echoes a request id header', async () => {
    const response = await request(app.url).get('/health/live').set('X-Request-Id', 'trace-123');

    expect(response.headers['x-request-id']).toBe('trace-123');
  });
});

describe('embedded database restart [PGlite]', () => {
  it('keeps accounts and messages across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-restart-'));
    try {
      const first = await startApp({ dataDir });
      const alice = await registerUser(first, 'alice');
      const bob = await registerUser(first, 'bob');
      await api(first, alice).post('/api/messages/send').send({ recipientID: bob.id, content: 'still here after restart' });
      await first.close();

      const second = await startApp({ dataDir });
      const login = await request(second.url).post('/api/users/login').send({ username: alice.username, password: alice.password });
      const history = await request(second.url)
        .get(`/api/messages/history/${bob.id}`)
        .set('Authorization', `Bearer ${login.body.accessToken}`);
      await second.close();

      expect(login.status).toBe(200);
      expect(history.status).toBe(200);
      expect(history.body.messages.map((message: { content: string }) => message.content)).toEqual(['still here after restart']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a second server on a data directory in use', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-lock-'));
    try {
      const first = await startApp({ dataDir });
      const second = startApp({ dataDir });
      await expect(second).rejects.toThrow(`DATA_DIR is in use by process ${process.pid}`);
      await first.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-lock-'));
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dataDir, 'server.lock'), exited.stdout);
    try {
      const app = await startApp({ dataDir });
      const health = await request(app.url).get('/health');
      await app.close();

      expect(health.status).toBe(200);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
