// Every journey of a recipient in headless Chromium, each page checked for
// accessibility (WCAG 2.1 AA) and photographed into docs/screens/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, latestEmail, launch, newPage, checkPage } from './support.mjs';

const PASSWORD = 'une phrase de passe solide';
const NEW_PASSWORD = 'un tout autre secret bien long';
let portal;
let browser;

before(async () => {
  portal = await startPortal();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  portal?.stop();
});

test('a recipient registers, chooses a password, downloads, manages the account', async () => {
  const page = await newPage(browser);
  const { code, report } = portal.codes[0];

  await page.goto(`${portal.base}/`);
  await checkPage(page, '01-accueil');

  await page.goto(`${portal.base}/inscription`);
  await checkPage(page, '02-inscription-codes');
  await page.fill('#code', 'abc');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('.error-summary'), /16 lettres et chiffres/);
  await checkPage(page, '03-inscription-codes-erreurs');

  // Keyboard only: type the codes and submit with Enter.
  await page.focus('#code');
  await page.keyboard.type(code);
  await page.keyboard.press('Tab');
  await page.keyboard.type(report);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/inscription/email');
  await checkPage(page, '04-inscription-email');

  await page.fill('#email', 'pcr.demo@example.org');
  await page.click('main button[type=submit]');
  await page.waitForURL('**/inscription/certification');
  await checkPage(page, '05-inscription-certification');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('.error-summary'), /Cochez la case/);
  await page.check('#certify');
  await page.click('main button[type=submit]');
  await page.waitForURL('**/inscription/envoyee');
  await checkPage(page, '06-inscription-envoyee');

  const link = await latestEmail(portal, 'pcr.demo@example.org', /http:\/\/\S+\/inscription\/confirmer\?jeton=[\w-]{43}/);
  await page.goto(link);
  assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
  await checkPage(page, '07-confirmation');
  await page.click('main button[type=submit]');
  await checkPage(page, '08-inscription-terminee');

  await page.click('text=Choisir mon mot de passe');
  await checkPage(page, '09-premiere-connexion');
  await page.fill('#password', 'court');
  assert.match(await page.textContent('#crit-length'), /pas encore respecté/, 'criteria checked as the user types');
  await page.click('text=Afficher le mot de passe');
  assert.equal(await page.getAttribute('#password', 'type'), 'text');
  await page.fill('#password', PASSWORD);
  await page.fill('#confirmation', PASSWORD);
  await page.click('main form button[type=submit]');
  await page.waitForURL('**/rapports');
  await checkPage(page, '10-rapports');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Télécharger >> nth=0')]);
  assert.match(download.suggestedFilename(), /^RDC-.*\.pdf$/);

  await page.click('nav >> text=Mon compte');
  await checkPage(page, '11-mon-compte');
  await page.fill('#delegate-email', 'assistant.demo@example.org');
  await page.click('text=Donner l\'accès');
  assert.match(await page.textContent('main'), /invitation envoyée/);
  await page.click('text=Retirer');
  await checkPage(page, '12-retirer-un-acces');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('main'), /accès est supprimé/);

  await page.goto(`${portal.base}/compte/mot-de-passe`);
  await checkPage(page, '13-changer-mot-de-passe');
  await page.fill('#current', PASSWORD);
  await page.fill('#password', NEW_PASSWORD);
  await page.fill('#confirmation', NEW_PASSWORD);
  await page.click('main form button[type=submit]');
  assert.match(await page.textContent('main'), /nouveau mot de passe est enregistré/);

  await page.goto(`${portal.base}/compte/email`);
  await checkPage(page, '14-changer-email');

  await page.click('text=Se déconnecter');
  await page.waitForURL('**/connexion?sortie=1');
  await checkPage(page, '15-connexion');
  await page.fill('#email', 'pcr.demo@example.org');
  await page.fill('#password', 'mauvais mot de passe');
  await page.click('main form button[type=submit]');
  assert.match(await page.textContent('.error-summary'), /Adresse email ou mot de passe incorrect/);
  await checkPage(page, '16-connexion-erreur');
  await page.fill('#password', NEW_PASSWORD);
  await page.check('#remember');
  await page.click('main form button[type=submit]');
  await page.waitForURL('**/rapports');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'dosiport_session');
  assert.ok(session.expires > Date.now() / 1000 + 29 * 86400, 'remembered for 30 days');
});

test('a forgotten password is replaced by an emailed link', async () => {
  const page = await newPage(browser);
  const { code, report } = portal.codes[1];
  await page.goto(`${portal.base}/inscription`);
  await page.fill('#code', code);
  await page.fill('#number', report);
  await page.click('main button[type=submit]');
  await page.fill('#email', 'veto.demo@example.org');
  await page.click('main button[type=submit]');
  await page.check('#certify');
  await page.click('main button[type=submit]');
  await page.goto(await latestEmail(portal, 'veto.demo@example.org', /http:\/\/\S+\/inscription\/confirmer\?jeton=[\w-]{43}/));
  await page.click('main button[type=submit]');

  const other = await newPage(browser);
  await other.goto(`${portal.base}/connexion`);
  await other.click('text=Mot de passe oublié ?');
  await checkPage(other, '17-mot-de-passe-oublie');
  await other.fill('#email', 'veto.demo@example.org');
  await other.click('main button[type=submit]');
  await checkPage(other, '18-mot-de-passe-oublie-envoye');
  await other.goto(await latestEmail(portal, 'veto.demo@example.org', /http:\/\/\S+\/mot-de-passe-oublie\/nouveau\?jeton=[\w-]{43}/));
  await checkPage(other, '19-nouveau-mot-de-passe');
  await other.fill('#password', PASSWORD);
  await other.fill('#confirmation', PASSWORD);
  await other.click('main form button[type=submit]');
  await other.waitForURL('**/rapports');
});

test('a browser that refuses cookies is told to enable them', async () => {
  const page = await newPage(browser);
  await page.goto(`${portal.base}/connexion`);
  // The browser drops what the portal set, as one that refuses cookies.
  await page.context().clearCookies();
  await page.fill('#email', 'pcr.demo@example.org');
  await page.fill('#password', PASSWORD);
  await page.click('main form button[type=submit]');
  assert.match(await page.textContent('main'), /Activez les cookies/);
  await checkPage(page, '20-cookies-requis');
});

test('pages are readable on a 360 px wide phone', async () => {
  const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
  await page.goto(`${portal.base}/inscription`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no horizontal scrolling (${width} px)`);
  await checkPage(page, '21-telephone-inscription');
});
