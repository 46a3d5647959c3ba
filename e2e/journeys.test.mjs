// Every journey of a recipient in headless Chromium, in French and in
// English, each page checked for accessibility (WCAG 2.1 AA) and
// photographed into docs/screens/<language>/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startPortal,
  latestEmail,
  launch,
  newPage,
  checkPage,
  addVirtualAuthenticator,
  appStep,
  appCode,
  freshAppCode,
  assertFitsPhone,
} from './support.mjs';

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
    zipSelected: 'Télécharger les rapports cochés (ZIP)',
    historyLink: "Consulter l'historique des téléchargements",
    zipNone: /Aucun rapport n'a été coché/,
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
    pending: /Confirmation en attente/,
    resend: "Renvoyer l'email de confirmation",
    replaced: /Lien remplacé/,
    taken: /déjà un titulaire/,
    invalid: /Lien non valide/,
    invitationIntro: /vous donne accès/,
    emailChanged: /identifiant est désormais/,
    manageTwoStep: 'Gérer la connexion en deux étapes',
    twoStepOff: /Désactivée/,
    twoStepOn: /Activée :/,
    setUpApp: "Activer une application d'authentification",
    continue: 'Continuer',
    checkAndTurnOn: 'Vérifier le code et activer',
    codesKept: 'Je les ai conservés, continuer',
    appDone: /application d'authentification est activée/,
    addPasskey: "Ajouter une clé d'accès",
    passkeyName: 'Ordinateur du bureau',
    createPasskey: "Créer la clé d'accès",
    passkeyDone: /clé d'accès est ajoutée/,
    secondStep: /Deuxième étape/,
    usePasskey: "Utiliser ma clé d'accès",
    signInButton: 'Se connecter',
    wrongCode: /pas bon, ou a déjà servi/,
    codesLeft: /Il reste 8 codes de secours/,
    renewCodes: 'Créer de nouveaux codes de secours',
    removeDone: /a été retiré/,
  },
  en: {
    locale: 'en-GB',
    codeHint: /16 letters and digits/,
    certifyMissing: /Tick the box/,
    choosePassword: 'Choose my password',
    unmet: /not met yet/,
    show: 'Show the password',
    download: 'Download',
    zipSelected: 'Download the ticked reports (ZIP)',
    historyLink: 'View the download history',
    zipNone: /No report was ticked/,
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
    pending: /Confirmation pending/,
    resend: 'Send the confirmation email again',
    replaced: /Link replaced/,
    taken: /already have an owner/,
    invalid: /Link not valid/,
    invitationIntro: /gives you access/,
    emailChanged: /sign-in name is now/,
    manageTwoStep: 'Manage two-step sign-in',
    twoStepOff: /Off:/,
    twoStepOn: /On:/,
    setUpApp: 'Set up an authenticator app',
    continue: 'Continue',
    checkAndTurnOn: 'Check the code and turn on',
    codesKept: 'I have kept them, continue',
    appDone: /authenticator app is set up/,
    addPasskey: 'Add a passkey',
    passkeyName: 'Work laptop',
    createPasskey: 'Create the passkey',
    passkeyDone: /passkey is added/,
    secondStep: /Second step/,
    usePasskey: 'Use my passkey',
    signInButton: 'Sign in',
    wrongCode: /not right, or was already used/,
    codesLeft: /8 recovery codes left/,
    renewCodes: 'Make new recovery codes',
    removeDone: /factor was removed/,
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

  test(`${lang}: a forgotten password is replaced by an emailed link, then the account signs in in two steps`, async (t) => {
    const portal = await startPortal();
    try {
      const page = await forgottenPassword(portal, open, shot, w);
      await twoStepSignIn(t, portal, page, shot, w);
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

test('registration special pages: pending, replaced link, taken, invalid link', async () => {
  const portal = await startPortal();
  try {
    for (const [lang, w] of Object.entries(WORDS)) {
      const shot = (name) => `${lang}/${name}`;
      const open = () => newPage(browser, { locale: w.locale });
      const { code, report } = portal.codes[lang === 'fr' ? 0 : 1];
      const email = `special.${lang}@example.org`;
      const start = async (page, address) => {
        await page.goto(`${portal.base}/inscription`);
        await page.fill('#code', code);
        await page.fill('#number', report);
        await page.click('main button[type=submit]');
        await page.fill('#email', address);
        await page.click('main button[type=submit]');
      };
      const page = await open();
      await start(page, email);
      await page.check('#certify');
      await page.click('main button[type=submit]');
      const first = await latestEmail(portal, email, /http:\/\/\S+\/inscription\/confirmer\?jeton=[\w-]{43}/);

      // The same codes and address again: the confirmation is on its way.
      await start(page, email);
      await page.waitForURL('**/inscription/en-cours');
      assert.match(await page.textContent('main'), w.pending);
      await checkPage(page, shot('22-registration-pending'));
      await page.click(`main >> text=${w.resend}`);
      await page.waitForURL('**/inscription/envoyee');

      // The first link was replaced by the second.
      const other = await open();
      await other.goto(first);
      assert.match(await other.textContent('main'), w.replaced);
      await checkPage(other, shot('23-link-replaced'));
      const emails = async () => latestEmail(portal, email, /http:\/\/\S+\/inscription\/confirmer\?jeton=[\w-]{43}/);
      let second = await emails();
      for (let i = 0; second === first && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        second = await emails();
      }
      await other.goto(second);
      await other.click('main button[type=submit]');

      // Somebody else tries the same codes: the reports already have an owner.
      const late = await open();
      await start(late, `someone.else.${lang}@example.org`);
      assert.match(await late.textContent('main'), w.taken);
      await checkPage(late, shot('24-registration-taken'));

      await late.goto(`${portal.base}/inscription/confirmer?jeton=not-a-real-token`);
      assert.match(await late.textContent('main'), w.invalid);
      await checkPage(late, shot('25-invalid-link'));
    }
  } finally {
    portal.stop();
  }
});

test('without JavaScript, registration and sign-in still work', async () => {
  const portal = await startPortal();
  try {
    const page = await newPage(browser, { javaScriptEnabled: false });
    const { code, report } = portal.codes[2];
    await page.goto(`${portal.base}/inscription`);
    await page.fill('#code', code);
    await page.fill('#number', report);
    await page.click('main button[type=submit]');
    await page.fill('#email', 'nojs.demo@example.org');
    await page.click('main button[type=submit]');
    await page.check('#certify');
    await page.click('main button[type=submit]');
    await page.goto(await latestEmail(portal, 'nojs.demo@example.org', /http:\/\/\S+\/inscription\/confirmer\?jeton=[\w-]{43}/));
    await page.click('main button[type=submit]');
    await page.click('main a.button');
    assert.equal(await page.locator('button.toggle').count(), 0, 'no show-password button without JavaScript');
    await page.fill('#password', PASSWORD);
    await page.fill('#confirmation', PASSWORD);
    await page.click('main form button[type=submit]');
    await page.waitForURL('**/rapports');
    assert.ok((await page.locator('tbody tr').count()) > 0);
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

  // The invited person opens the link, sees who invites them and creates
  // an account.
  const delegate = await open();
  await delegate.goto(await latestEmail(portal, 'assistant.demo@example.org', /http:\/\/\S+\/invitation\?jeton=[\w-]{43}/));
  assert.equal(new URL(delegate.url()).search, '', 'the token left the address bar');
  assert.match(await delegate.textContent('main'), w.invitationIntro);
  await checkPage(delegate, shot('12-invitation'));
  await delegate.fill('#password', 'la phrase de passe du délégué');
  await delegate.fill('#confirmation', 'la phrase de passe du délégué');
  await delegate.click('main form button[type=submit]');
  await delegate.waitForURL('**/rapports');
  assert.equal(await delegate.locator('tbody tr').count(), 2, 'the delegate sees the shared reports');

  // Nothing ticked: a page says so. Then the delegate ticks both reports
  // and downloads them as one ZIP.
  await delegate.click(`main >> text=${w.zipSelected}`);
  assert.match(await delegate.textContent('main'), w.zipNone);
  await checkPage(delegate, shot('26-archive-nothing-ticked'));
  await delegate.goBack();
  await delegate.check('tbody tr >> nth=0 >> input[type=checkbox]');
  await delegate.check('tbody tr >> nth=1 >> input[type=checkbox]');
  const [zip] = await Promise.all([
    delegate.waitForEvent('download'),
    delegate.click(`main >> text=${w.zipSelected}`),
  ]);
  assert.equal(zip.suggestedFilename(), 'rapports.zip');

  // The owner sees both downloads, and by whom, in the access history.
  await page.reload();
  await page.click(`main >> text=${w.historyLink}`);
  await page.waitForURL('**/compte/historique');
  assert.match(await page.textContent('main'), /assistant\.demo@example\.org/);
  await checkPage(page, shot('27-download-history'));
  await page.goBack();

  await page.reload();
  await page.click(`main >> text=${w.remove}`);
  await checkPage(page, shot('12-remove-access'));
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('main'), w.removed);
  await delegate.reload();
  assert.equal(await delegate.locator('tbody tr').count(), 0, 'removed on the next page');

  await page.goto(`${portal.base}/compte/mot-de-passe`);
  await checkPage(page, shot('13-change-password'));
  await page.fill('#current', PASSWORD);
  await page.fill('#password', NEW_PASSWORD);
  await page.fill('#confirmation', NEW_PASSWORD);
  await page.click('main form button[type=submit]');
  assert.match(await page.textContent('main'), w.saved);

  await page.goto(`${portal.base}/compte/email`);
  await checkPage(page, shot('14-change-email'));
  await page.fill('#email', 'radioprotection.demo@example.org');
  await page.fill('#confirmation', 'radioprotection.demo@example.org');
  await page.fill('#password', NEW_PASSWORD);
  await page.click('main form button[type=submit]');
  await page.goto(await latestEmail(portal, 'radioprotection.demo@example.org', /http:\/\/\S+\/compte\/email\/confirmer\?jeton=[\w-]{43}/));
  await checkPage(page, shot('14-confirm-new-email'));
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('main'), w.emailChanged);

  await page.click(`header >> text=${w.signOut}`);
  await page.waitForURL('**/connexion?sortie=1');
  await checkPage(page, shot('15-sign-in'));
  await page.fill('#email', 'radioprotection.demo@example.org');
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
  return other;
}

// The account signed in on `page` turns two-step sign-in on with an
// authenticator app, adds a passkey, then signs in with each factor and a
// recovery code; a wrong code is refused on the way.
async function twoStepSignIn(t, portal, page, shot, w) {
  const email = 'veto.demo@example.org';
  let secret;
  let usedStep;
  let recoveryCodes;

  const signIn = async () => {
    await page.click(`header >> text=${w.signOut}`);
    await page.waitForURL('**/connexion?sortie=1');
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('main form button[type=submit]');
    await page.waitForURL('**/connexion/verification?**');
    assert.match(await page.textContent('h1'), w.secondStep);
  };
  const typeCode = async (code) => {
    await page.fill('#code', code);
    await page.getByRole('button', { name: w.signInButton, exact: true }).click();
  };

  await t.test('an authenticator app is set up after the password, with recovery codes', async () => {
    await page.click(`nav >> text=${w.account}`);
    await page.getByRole('link', { name: w.manageTwoStep }).click();
    await page.waitForURL('**/compte/securite');
    assert.match(await page.textContent('main'), w.twoStepOff);
    await checkPage(page, shot('28-two-step-off'));

    await page.getByRole('link', { name: w.setUpApp }).click();
    await checkPage(page, shot('29-two-step-password-again'));
    await page.fill('#password', PASSWORD);
    await page.getByRole('button', { name: w.continue, exact: true }).click();
    assert.equal(await page.locator('.qr svg[role=img]').count(), 1, 'a QR code to scan');
    await checkPage(page, shot('30-two-step-app'));
    await assertFitsPhone(page, 'app set-up', shot('38-phone-two-step-app'));

    // The person types the key into their app, which shows its code.
    secret = (await page.textContent('code.secret')).replace(/\s/g, '');
    usedStep = appStep();
    await page.fill('#code', appCode(secret, usedStep));
    await page.getByRole('button', { name: w.checkAndTurnOn }).click();
    recoveryCodes = await page.locator('ul.codes code').allTextContents();
    assert.equal(recoveryCodes.length, 10, 'ten recovery codes shown once');
    await checkPage(page, shot('31-recovery-codes'));
    await assertFitsPhone(page, 'recovery codes');
    await page.getByRole('link', { name: w.codesKept }).click();
    await page.waitForURL('**/compte/securite?fait=application');
    assert.match(await page.textContent('main'), w.appDone);
    assert.match(await page.textContent('main'), w.twoStepOn);
  });

  await t.test('a passkey is added with the browser', async () => {
    await addVirtualAuthenticator(page);
    await page.getByRole('link', { name: w.addPasskey }).click();
    await page.fill('#name', w.passkeyName);
    await page.fill('#password', PASSWORD);
    await checkPage(page, shot('32-passkey-name'));
    await page.getByRole('button', { name: w.continue, exact: true }).click();
    await checkPage(page, shot('33-passkey-create'));
    await page.getByRole('button', { name: w.createPasskey }).click();
    await page.waitForURL('**/compte/securite?fait=cle');
    assert.match(await page.textContent('main'), w.passkeyDone);
    assert.match(await page.textContent('main'), new RegExp(w.passkeyName));
    await checkPage(page, shot('34-two-step-on'));
    await assertFitsPhone(page, 'two-step sign-in');
  });

  await t.test('the second step refuses a wrong code, then takes the passkey', async () => {
    await signIn();
    await checkPage(page, shot('35-second-step'));
    await assertFitsPhone(page, 'second step', shot('39-phone-second-step'));
    const step = appStep();
    const valid = [step - 1, step, step + 1].map((s) => appCode(secret, s));
    let wrong = 123456;
    while (valid.includes(String(wrong))) wrong += 1;
    await typeCode(String(wrong));
    assert.match(await page.textContent('.error-summary'), w.wrongCode);
    assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
    await checkPage(page, shot('36-second-step-wrong-code'));

    await page.getByRole('button', { name: w.usePasskey }).click();
    await page.waitForURL('**/rapports');
  });

  await t.test('a recovery code signs in once', async () => {
    await signIn();
    await typeCode(recoveryCodes[0]);
    await page.waitForURL('**/rapports');
    await signIn();
    await typeCode(recoveryCodes[0]);
    assert.match(await page.textContent('.error-summary'), w.wrongCode, 'a used recovery code is refused');
    await typeCode(recoveryCodes[1]);
    await page.waitForURL('**/rapports');
    await page.goto(`${portal.base}/compte/securite`);
    assert.match(await page.textContent('main'), w.codesLeft);
  });

  await t.test('new recovery codes replace the old ones after the password', async () => {
    await page.getByRole('link', { name: w.renewCodes }).click();
    await page.fill('#password', PASSWORD);
    await checkPage(page, shot('40-renew-codes'));
    await page.click('main form button[type=submit]');
    await page.waitForSelector('ul.codes');
    const renewed = await page.$$eval('ul.codes code', (codes) => codes.map((c) => c.textContent));
    assert.equal(renewed.length, 10);
    assert.ok(!renewed.includes(recoveryCodes[2]), 'the new codes are new');
    await checkPage(page, shot('41-new-recovery-codes'));
    recoveryCodes = renewed;
  });

  await t.test("the app's next code signs in", async () => {
    await signIn();
    // The code that turned the app on cannot sign in: the app's next one does.
    const { code } = await freshAppCode(secret, usedStep);
    await typeCode(code);
    await page.waitForURL('**/rapports');
  });

  await t.test('the passkey is removed after the password', async () => {
    await page.click(`nav >> text=${w.account}`);
    await page.getByRole('link', { name: w.manageTwoStep }).click();
    await page.click(`main li:has-text("${w.passkeyName}") >> a`);
    await page.fill('#password', PASSWORD);
    await checkPage(page, shot('37-remove-passkey'));
    await page.click('main form button[type=submit]');
    await page.waitForURL('**/compte/securite?fait=retire');
    assert.match(await page.textContent('main'), w.removeDone);
    assert.doesNotMatch(await page.textContent('main'), new RegExp(w.passkeyName));
  });
}
