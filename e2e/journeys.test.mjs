// Every journey of a recipient in headless Chromium, in French and in
// English, each page checked for accessibility (WCAG 2.1 AA) and
// photographed into docs/screens/<language>/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPortal, latestEmail, launch, newPage, checkPage } from './support.mjs';

const PASSWORD = 'une phrase de passe solide';
const NEW_PASSWORD = 'un tout autre secret bien long';

// What a person reads and clicks, in each language.
const WORDS = {
  fr: {
    locale: 'fr-FR',
    codeHint: /16 lettres et chiffres/,
    certifyMissing: /Cochez la case/,
    choosePassword: 'Choisir mon mot de passe',
    unmet: /pas encore respecté/,
    show: 'Afficher le mot de passe',
    download: 'Télécharger',
    account: 'Mon compte',
    giveAccess: "Donner l'accès",
    invited: /invitation envoyée/,
    remove: 'Retirer',
    removed: /accès est supprimé/,
    saved: /nouveau mot de passe est enregistré/,
    signOut: 'Se déconnecter',
    wrong: /Adresse email ou mot de passe incorrect/,
    forgotten: 'Mot de passe oublié ?',
    cookies: /Activez les cookies/,
    otherLanguage: 'English',
  },
  en: {
    locale: 'en-GB',
    codeHint: /16 letters and digits/,
    certifyMissing: /Tick the box/,
    choosePassword: 'Choose my password',
    unmet: /not met yet/,
    show: 'Show the password',
    download: 'Download',
    account: 'My account',
    giveAccess: 'Give access',
    invited: /invitation sent/,
    remove: 'Remove',
    removed: /access is removed/,
    saved: /new password is saved/,
    signOut: 'Sign out',
    wrong: /Wrong email address or password/,
    forgotten: 'Forgotten your password?',
    cookies: /Please allow cookies/,
    otherLanguage: 'Français',
  },
};

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

for (const [lang, w] of Object.entries(WORDS)) {
  const shot = (name) => `${lang}/${name}`;
  const open = (options = {}) => newPage(browser, { locale: w.locale, ...options });

  test(`${lang}: a recipient registers, chooses a password, downloads, manages the account`, async () => {
    const portal = await startPortal();
    try {
      await mainJourney(portal, open, shot, w);
    } finally {
      portal.stop();
    }
  });

  test(`${lang}: a forgotten password is replaced by an emailed link`, async () => {
    const portal = await startPortal();
    try {
      await forgottenPassword(portal, open, shot, w);
    } finally {
      portal.stop();
    }
  });

  test(`${lang}: a browser that refuses cookies is told to enable them`, async () => {
    const portal = await startPortal();
    try {
      const page = await open();
      await page.goto(`${portal.base}/connexion`);
      // The browser drops what the portal set, as one that refuses cookies.
      await page.context().clearCookies();
      await page.fill('#email', 'pcr.demo@example.org');
      await page.fill('#password', PASSWORD);
      await page.click('main form button[type=submit]');
      assert.match(await page.textContent('main'), w.cookies);
      await checkPage(page, shot('20-cookies-required'));
    } finally {
      portal.stop();
    }
  });

  test(`${lang}: pages are readable on a 360 px wide phone`, async () => {
    const portal = await startPortal();
    try {
      const page = await open({ viewport: { width: 360, height: 740 } });
      for (const path of ['/inscription', '/connexion', '/']) {
        await page.goto(`${portal.base}${path}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 360, `${path}: no horizontal scrolling (${width} px)`);
      }
      await page.goto(`${portal.base}/inscription`);
      await checkPage(page, shot('21-phone-registration'));
    } finally {
      portal.stop();
    }
  });
}

test('the language switch on every page changes the language and is remembered', async () => {
  const portal = await startPortal();
  try {
    const page = await newPage(browser, { locale: 'fr-FR' });
    await page.goto(`${portal.base}/connexion`);
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    await page.click('header >> text=English');
    await page.waitForURL('**/connexion');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.textContent('h1'), /Sign in/);
    await page.goto(`${portal.base}/inscription`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');
    await page.click('header >> text=Français');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  } finally {
    portal.stop();
  }
});

async function mainJourney(portal, open, shot, w) {
  const page = await open();
  const { code, report } = portal.codes[0];

  await page.goto(`${portal.base}/`);
  await checkPage(page, shot('01-home'));

  await page.goto(`${portal.base}/inscription`);
  await checkPage(page, shot('02-registration-codes'));
  await page.fill('#code', 'abc');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('.error-summary'), w.codeHint);
  await checkPage(page, shot('03-registration-codes-errors'));

  // Keyboard only: type the codes and submit with Enter.
  await page.focus('#code');
  await page.keyboard.type(code);
  await page.keyboard.press('Tab');
  await page.keyboard.type(report);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/inscription/email');
  await checkPage(page, shot('04-registration-email'));

  await page.fill('#email', 'pcr.demo@example.org');
  await page.click('main button[type=submit]');
  await page.waitForURL('**/inscription/certification');
  await checkPage(page, shot('05-registration-certification'));
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('.error-summary'), w.certifyMissing);
  await page.check('#certify');
  await page.click('main button[type=submit]');
  await page.waitForURL('**/inscription/envoyee');
  await checkPage(page, shot('06-registration-sent'));

  const link = await latestEmail(portal, 'pcr.demo@example.org', /http:\/\/\S+\/inscription\/confirmer\?jeton=[\w-]{43}/);
  await page.goto(link);
  assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
  await checkPage(page, shot('07-confirmation'));
  await page.click('main button[type=submit]');
  await checkPage(page, shot('08-registration-complete'));

  await page.click(`main >> text=${w.choosePassword}`);
  await checkPage(page, shot('09-first-connection'));
  await page.fill('#password', 'court');
  assert.match(await page.textContent('#crit-length'), w.unmet, 'criteria checked as the user types');
  await page.click(`text=${w.show}`);
  assert.equal(await page.getAttribute('#password', 'type'), 'text');
  await page.fill('#password', PASSWORD);
  await page.fill('#confirmation', PASSWORD);
  await page.click('main form button[type=submit]');
  await page.waitForURL('**/rapports');
  await checkPage(page, shot('10-reports'));

  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`text=${w.download} >> nth=0`)]);
  assert.match(download.suggestedFilename(), /^RDC-.*\.pdf$/);

  await page.click(`nav >> text=${w.account}`);
  await checkPage(page, shot('11-my-account'));
  await page.fill('#delegate-email', 'assistant.demo@example.org');
  await page.click(`main >> text=${w.giveAccess}`);
  assert.match(await page.textContent('main'), w.invited);
  await page.click(`main >> text=${w.remove}`);
  await checkPage(page, shot('12-remove-access'));
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('main'), w.removed);

  await page.goto(`${portal.base}/compte/mot-de-passe`);
  await checkPage(page, shot('13-change-password'));
  await page.fill('#current', PASSWORD);
  await page.fill('#password', NEW_PASSWORD);
  await page.fill('#confirmation', NEW_PASSWORD);
  await page.click('main form button[type=submit]');
  assert.match(await page.textContent('main'), w.saved);

  await page.goto(`${portal.base}/compte/email`);
  await checkPage(page, shot('14-change-email'));

  await page.click(`header >> text=${w.signOut}`);
  await page.waitForURL('**/connexion?sortie=1');
  await checkPage(page, shot('15-sign-in'));
  await page.fill('#email', 'pcr.demo@example.org');
  await page.fill('#password', 'mauvais mot de passe');
  await page.click('main form button[type=submit]');
  assert.match(await page.textContent('.error-summary'), w.wrong);
  await checkPage(page, shot('16-sign-in-error'));
  await page.fill('#password', NEW_PASSWORD);
  await page.check('#remember');
  await page.click('main form button[type=submit]');
  await page.waitForURL('**/rapports');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'dosiport_session');
  assert.ok(session.expires > Date.now() / 1000 + 29 * 86400, 'remembered for 30 days');
}

async function forgottenPassword(portal, open, shot, w) {
  const page = await open();
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

  const other = await open();
  await other.goto(`${portal.base}/connexion`);
  await other.click(`text=${w.forgotten}`);
  await checkPage(other, shot('17-forgotten-password'));
  await other.fill('#email', 'veto.demo@example.org');
  await other.click('main button[type=submit]');
  await checkPage(other, shot('18-forgotten-password-sent'));
  await other.goto(await latestEmail(portal, 'veto.demo@example.org', /http:\/\/\S+\/mot-de-passe-oublie\/nouveau\?jeton=[\w-]{43}/));
  await checkPage(other, shot('19-new-password'));
  await other.fill('#password', PASSWORD);
  await other.fill('#confirmation', PASSWORD);
  await other.click('main form button[type=submit]');
  await other.waitForURL('**/rapports');
}
