# The portal's screens, in English.
# A message whose id ends in -html may hold simple markup (<strong>); every
# value put into it is escaped first.

## Around every page

layout-skip = Skip to content
layout-brand-suffix = control reports
layout-menu = Main menu
layout-nav-reports = Dosimetry
layout-nav-account = My account
layout-signed-in-as = Signed in as { $email }
layout-sign-out = Sign out
layout-sign-in = Sign in
layout-customer-service = Customer service:
layout-language = Language
# The name of the other language, written in that language.
layout-other-language = Français
layout-error-title = Error – { $title }

## Words used on many pages

common-back-home = Back to the home page
common-form-errors = Please correct what you entered
common-continue = Continue
common-next = Next
common-email = Email address
common-password = Password
common-current-password = Current password
common-password-confirmation = Password again
common-cancel-to-account = Cancel and go back to my account
common-sign-in = Sign in
common-see-reports = See my reports
common-email-invalid = Enter a valid email address, for example firstname.lastname@example.com.
common-too-many-tries = Too many attempts failed. For your security, try again in a quarter of an hour.
common-link-expired-title = Link expired
common-invalid-link-title = Link not valid
common-invalid-link-partial = This link is not valid. Perhaps only part of it was copied, or it has already been used.
common-invalid-link-reopen = Open it again by clicking it in the email you received rather than copying it. The portal also needs cookies to be allowed.
common-access-added-title = Access added
common-minutes = { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}

## Error pages

error-not-found-title = Page not found
error-not-found = This page does not exist, or you do not have access to it.
error-cookies-title = Please allow cookies
error-cookies-why = The portal needs cookies to recognise you from one page to the next, and your browser did not send them back.
error-cookies-how = Allow cookies for this site in your browser's privacy settings (they only keep you signed in, never serve advertising), then start again.
error-cookies-action = Start again
error-form-expired-title = Form expired
error-form-expired = This form is no longer valid. Reload the page and start again.
error-bad-request-title = Request not understood
error-bad-request = This request could not be understood. Go back to the previous page and try again.
error-internal-title = Service temporarily unavailable
error-internal = Something went wrong on our side. Try again in a few minutes; if the problem persists, contact our customer service.

## Home

home-title = Your control reports online
home-lead = { $lab } publishes here the dosimetry control reports of the recipients its clients have designated. You are told by email as soon as a new report is available.
home-account-heading = I already have an account
home-account-text = Sign in with your email address and your password.
home-codes-heading = I received my codes
home-codes-text = You received a security code and a report number by email: create your access.
home-register = Register

## Sign-in

signin-title = Sign in
signin-signed-out = You are signed out.
signin-blocked-heading = Sign-in temporarily blocked
signin-blocked = Too many sign-in attempts failed. For your security, try again in { common-minutes }.
signin-failed-heading = Sign-in failed
signin-failed = Wrong email address or password.
signin-remember = Remember this browser for { $days } days (only on a computer that only you use)
signin-first-visit = First visit?
signin-register-link = Register with your codes
signin-forgotten = Forgotten your password?

## Registration

register-step = Registration · step { $step } of 4
register-codes-title = Registration – your codes
register-codes-heading = Your personal codes
register-codes-throttled = Too many attempts failed for this report number or from your connection. For your security, try again in { common-minutes }.
register-codes-mismatch = This security code does not match this report number.
register-codes-mismatch-hint = This security code does not match this report number. Check both entries.
register-codes-intro = Enter the security code and the report number given in the invitation email (its subject, in French: “Rapports de contrôle : inscrivez-vous pour les consulter en ligne”).
register-code-label = Security code
register-code-hint = 16 letters and digits, for example ABCD-EFGH-JKMN-PQRS. Dashes and spaces are optional.
register-number-label = Control report number
register-number-hint = For example RDC-2025-001001.
register-no-codes = Did not receive any codes? Contact our customer service:
register-code-empty = Enter the security code you received by email.
register-code-malformed = The security code has 16 letters and digits, for example ABCD-EFGH-JKMN-PQRS.
register-number-empty = Enter the number of a control report.
register-number-malformed = A report number is made of letters, digits and dashes, for example RDC-2025-001001.
register-restart-title = Registration to resume
register-restart = Your registration was interrupted for too long, or has not started. Enter your codes again to resume it.
register-restart-action = Enter my codes
register-email-title = Registration – your email address
register-email-heading = Your email address
register-email-intro = The reports of “{ $recipient }” will be available with this address: it will be your sign-in name, and notices of new reports will be sent to it.
register-emails-throttled = Too many addresses were tried for these reports. For your security, try again in an hour, or contact our customer service.
email-error-empty = Enter your email address.
email-error-too-long = This address is too long to be an email address.
email-error-display-name = Enter the address alone, without a name or angle brackets, for example firstname.lastname@example.com.
email-error-syntax = This email address is not valid. Check it: it should look like firstname.lastname@example.com.
register-done-already-title = Registration already complete
register-done-already = This registration is already complete: these reports are already available with this email address. Sign in to read them.
register-taken-title = These reports already have an owner
register-taken = Another email address has already completed the registration with these codes: it owns the access to these reports.
register-taken-next = If you need to receive them too, ask that person to add you as a recipient from “My account”. If in doubt, contact our customer service.
register-existing-title = Registration – existing account
register-existing = The address { $email } already has an account on the portal. The reports of “{ $recipient }” will be added to that account: you will see them with the others, with the same password.
register-certify-title = Registration – certification
register-certify-heading = Certification
register-certify-missing = Tick the box to certify that you are authorised.
register-certify-intro = Control reports hold personal occupational-health data. Only the people designated by the organisation may receive them.
register-certify-label = I certify that I am authorised to receive the control reports of “{ $recipient }” at the address { $email }.
register-certify-submit = Finish
register-too-many-title = Too many requests
register-too-many = Too many confirmation emails were asked for these reports. For your security, try again in { common-minutes }, or contact our customer service.
register-pending-title = Confirmation pending
register-pending-html = A confirmation email was already sent to <strong>{ $email }</strong> on { $date } at { $time } for this registration. Open the link it holds (it stays valid for { $hours } hours after it was sent).
register-pending-lost = Cannot find it? Look in your junk mail (spam), or get a new email: the old one's link will stop working.
register-pending-resend = Send the confirmation email again
register-sent-title = Registration – check your mailbox
register-sent-heading = Check your mailbox
register-sent-to-html = A confirmation email has just been sent to <strong>{ $email }</strong>. Open the link it holds within <strong>{ $hours } hours</strong> to complete your registration.
register-sent-html = A confirmation email has just been sent. Open the link it holds within <strong>{ $hours } hours</strong> to complete your registration.
register-sent-lost = Cannot find it? Wait a few minutes and look in your junk mail (spam).
register-sent-help = If the problem persists, contact our customer service:
register-confirm-title = Complete my registration
register-confirm-intro = Click the button to confirm your email address and complete your registration.
register-confirm-submit = Confirm my registration
register-finished-title = Registration complete
register-finished = Your email address is confirmed and your account is created.
register-finished-next = All that is left is to choose your password to reach your reports.
register-access-added = Your email address is confirmed. These reports are added to your account, with those you already had access to.
register-validated-title = Registration already confirmed
register-validated = This registration was already confirmed. Sign in with your email address and your password.
register-validated-no-password = Have not chosen a password yet? Use “Forgotten your password?” on the sign-in page: you will be sent a link to choose it.
register-link-expired = This link has expired. Start the registration again with your codes: a new confirmation email will be sent to you.
register-link-expired-action = Start the registration again
register-link-replaced-title = Link replaced
register-link-replaced = A more recent confirmation email was sent to you since: this link no longer works. Open the link of the latest email you received.

## Passwords

password-first-title = Choose my password
password-reset-title = Choose a new password
password-change-title = Change my password
password-save-and-see = Save and see my reports
password-save-new = Save the new password
password-protects-html = This password protects the access of <strong>{ $email }</strong> to the control reports.
password-criteria-heading = Your password must:
password-criterion-length = have { $min } to { $max } characters (a sentence of several words is perfect)
password-criterion-personal = contain neither your email address nor the lab's name
password-criterion-common = not be one of the most common passwords
password-criterion-match = be typed twice the same way
password-any-character = Every character is allowed, spaces and accents included.
password-new = New password
password-criterion-met = met
password-criterion-unmet = not met yet
password-show = Show the password
password-hide = Hide the password
password-too-short = This password is too short: it needs at least { $min } characters.
password-too-long = This password is too long: { $max } characters at most.
password-contains-email = This password contains your email address: choose another one.
password-contains-lab = This password contains the lab's name: choose another one.
password-common = This password is one of the most common ones, so among the first that attackers try: choose another one.
password-mismatch = The two entries are not the same.
password-unchanged = The new password must differ from the current one.
password-current-wrong = That is not your current password.
first-connection-no-link = To choose your password, open the link you received by email by clicking it. The portal needs cookies to be allowed in your browser.
first-connection-has-password = Already have a password? Sign in.
first-connection-already-title = Password already chosen
first-connection-already = Your password is already chosen. Sign in to see your reports.
first-connection-expired = This first-connection link has expired. The next notice of new reports will hold a new one; until then, our customer service can help you.

## Forgotten password

reset-title = Forgotten password
reset-intro = Enter the email address you sign in with: if it belongs to an account, you will receive a link to choose a new password.
reset-submit = Get a link
reset-back-to-signin = Back to sign-in
reset-email-invalid = Enter the email address you sign in with, for example firstname.lastname@example.com.
reset-sent-title = Check your mailbox
reset-sent = If an account exists for the address { $email }, an email has just been sent to it with a link to choose a new password. The link is valid for one hour.
reset-sent-lost = Cannot find it? Wait a few minutes and look in your junk mail (spam), or check the address you entered.
reset-link-expired = This link to change your password has expired: it is only valid for one hour. Ask for a new one.
reset-link-expired-action = Ask for a new link

## My account

account-title = My account
account-login-heading = Sign-in name
account-login-html = You sign in with the address <strong>{ $email }</strong>. Notices of new reports are sent to this address.
account-change-email = Change my email address / sign-in name
account-password-heading = Password
account-change-password = Change my password
account-access-heading = Reports you have access to
account-no-recipient = No recipient is linked to this account yet.
account-owner = owner
account-delegated = delegated access
account-delegates-heading = People who also receive your reports
account-delegates-intro = You can give other people access to your reports (up to { $limit }). They cannot pass this access on.
account-no-delegate = Nobody yet.
account-delegate-pending = invitation sent, account not created yet
account-delegate-remove = Remove
account-delegate-remove-whom = the access of { $email }
account-delegate-email = Email address of the person to add
account-delegate-submit = Give access
account-granted-heading = Access delegated to you
account-granted-intro = These owners gave you access to their reports:
account-granted-no-share = Delegated access cannot be passed on: for another person to receive these reports, ask the owner.
account-done-password = Your new password is saved. Your other sessions were closed and an email confirms it.
account-done-delegate-added = This person now has access to your reports; an email tells them.
account-done-delegate-invited = An invitation to create an account was sent to this address (valid for { $days } days).
account-done-delegate-removed = The access is removed: that person no longer sees your reports.
account-done-email-asked = A confirmation link was sent to the new address (valid for { $hours } hours). Your sign-in name only changes once the link is opened.
delegate-already-there = This address already has access to your reports, or a pending invitation.
delegate-itself = This is your own account's address.
delegate-limit = You have reached the largest number of recipients: remove one before adding another.
delegate-not-owner = Only the owner of an access can share it. Your access was delegated to you: ask the person who gave it to you.
delegate-remove-title = Remove an access
delegate-remove-html = <strong>{ $email }</strong> will no longer see your control reports, from their next page on, even if they are signed in right now. A pending invitation will no longer work.
delegate-remove-submit = Remove the access of { $email }

## Login email change

email-change-title = Change my email address
email-change-current-html = Your current address is <strong>{ $email }</strong>. The new address will become your sign-in name and receive the notices of new reports. A confirmation link will be sent to it: nothing changes until it is opened. Your password stays the same.
email-change-new = New email address
email-change-again = New email address, once more
email-change-submit = Send the confirmation link
email-change-mismatch = The two entries of the new address are not the same.
email-change-same = This is already your account's address.
email-change-wrong-password = That is not your account's password.
email-confirm-title = Confirm my new address
email-confirm-html = Once confirmed, your sign-in name will be <strong>{ $email }</strong>. Your password does not change.
email-confirm-submit = Confirm the new sign-in name
email-changed-title = Email address changed
email-changed = Your sign-in name is now { $email }. Use this address to sign in; your password does not change.
email-change-taken-title = Change not possible
email-change-taken = This address already belongs to another account of the portal: it cannot become this one's sign-in name. Nothing was changed.

## Delegate invitation

invitation-title = Create my account
invitation-existing-html = <strong>{ $owner }</strong> gives you access to their control reports. The address <strong>{ $email }</strong> already has an account on the portal: accept, and these reports will be added to yours. Your password does not change.
invitation-accept = Accept the access
invitation-new-html = <strong>{ $owner }</strong> gives you access to their control reports. Choose a password to create your account; you will sign in with the address <strong>{ $email }</strong>.
invitation-submit = Create my account and see the reports
invitation-expired-title = Invitation expired
invitation-expired = This invitation has expired. Ask the person who sent it to add you again.
invitation-added = This address already had an account: the shared reports are added to it. Sign in with your usual password.

## Reports

reports-title = Dosimetry – my control reports
reports-heading = My control reports
reports-retention = Under data-protection rules, each report stays available for { $months } months after it is published, then it is removed from the portal: remember to save those you must keep.
reports-recipient = Recipient
reports-all-recipients = All
reports-year = Year issued
reports-all-years = All
reports-filter = Filter
reports-none = No report matches these criteria.
reports-count = { $count ->
    [one] 1 report
   *[other] { $shown } reports
}
reports-page-of = page { $page } of { $pages }
reports-caption = Control reports, newest first
reports-number = Report no.
reports-period = Period
reports-kind = Type
reports-published = Published
reports-available-until = Available until
reports-file = File
reports-new = New
reports-download = Download
reports-download-which = report { $number }
reports-pages = Pages
reports-previous = ← Previous page
reports-next = Next page →
report-kind-periodic = Periodic
report-kind-complementary = Supplementary
report-kind-corrective = Corrective
reports-file-size = PDF, { $size }
reports-select = Select
reports-select-which = Add report { $number } to the ZIP file
reports-zip-hint = Tick the reports you want to receive together in a single ZIP file (at most { $max } reports).
reports-zip-selected = Download the ticked reports (ZIP)
reports-zip-all = Download every report of this recipient for { $year } (ZIP)

archive-title = Bulk download
archive-none = No report was ticked. Tick at least one report in the list and try again.
archive-too-many = A ZIP file holds at most { $max } reports. Tick fewer, or filter the list by recipient and year.
archive-back = Back to my reports

account-history-heading = Download history
account-history-intro = See who downloaded your reports, you or the people you gave access to, and when.
account-history-link = View the download history
history-title = Download history
history-back = ← Back to My account
history-intro = Every download of a report of your recipients, by you or by someone you gave access to, newest first.
history-none = None of your reports has been downloaded yet.
history-count = { $count ->
    [one] 1 download
   *[other] { $shown } downloads
}
history-export = Export the history (CSV)
history-caption = Downloads of your reports, newest first
history-col-when = Date
history-col-who = Downloaded by
history-col-role = Role
history-col-number = Report no.
history-col-code = Recipient code
history-col-recipient = Recipient
history-role-owner = owner
history-role-delegate = delegated access
history-at = { $date } at { $time }
history-csv-name = download-history.csv

## Two-step sign-in

second-step-title = Second step of sign-in
second-step-intro = Your password is right. Your account also asks for a second proof that it is you.
second-step-refused-heading = This code does not sign in
second-step-wrong-code = This code is not right, or was already used. Check it and type it again.
second-step-blocked = Too many wrong codes. For your account's safety, try again in { $minutes ->
    [one] one minute
   *[other] { $minutes } minutes
}.
second-step-passkey-failed = The passkey's answer did not sign in. Try again, or use a code.
second-step-passkey-heading = With a passkey
second-step-passkey-submit = Use my passkey
second-step-code-heading = With a code
second-step-recovery-heading = With a recovery code
second-step-code-label = Code
second-step-recovery-label = Recovery code
second-step-code-hint = The 6 digits your authenticator app shows now, or one of your recovery codes.
second-step-recovery-hint = One of the recovery codes you kept when you set up two-step sign-in, such as ABCD-EFGH-JKMN-PQRS.
second-step-submit = Sign in
second-step-lost = Lost your device and your recovery codes? Call our customer service: after checking who you are, it can turn two-step sign-in off for your account.
second-step-cancel = Cancel and sign out
passkey-unsupported = This browser cannot use passkeys. Use another way in on this page.
passkey-cancelled = The passkey did not answer (cancelled or timed out). Press the button to try again.
passkey-needs-script = Passkeys need JavaScript, which is off in this browser.

security-title = Two-step sign-in
security-done-app = The authenticator app is set up: signing in now asks for one of its codes.
security-done-passkey = The passkey is added: it can now sign in after your password.
security-done-removed = The factor was removed.
security-done-codes = Your new recovery codes are active; the previous ones no longer work.
security-required-enrol = Your laboratory asks every account to sign in in two steps. Set up an authenticator app or a passkey to go on to your reports.
security-status-heading = Status
security-status-on = On: after your password, signing in asks for a code from your app, a passkey or a recovery code.
security-status-off = Off: your password alone signs in. Add an authenticator app or a passkey so that a stolen password is not enough.
security-required = Your laboratory requires two-step sign-in: the last factor cannot be removed.
security-app-heading = Authenticator app
security-app-name = authenticator app
security-app-since = Set up on { $date }.
security-app-none = An app on your phone (such as FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator) shows a new 6-digit code every 30 seconds.
security-app-add = Set up an authenticator app
security-remove = Remove
security-passkeys-heading = Passkeys
security-passkeys-intro = A passkey is kept by your phone, your computer or a security key, and unlocked with your fingerprint, face or PIN.
security-passkey-since = added on { $date }
security-passkey-used = last used on { $date }
security-passkey-add = Add a passkey
security-codes-heading = Recovery codes
security-codes-left = { $count ->
    [0] No recovery code left: make new ones now.
    [one] One recovery code left.
   *[other] { $count } recovery codes left.
}
security-codes-renew = Make new recovery codes
security-continue = Continue
security-back = Back to two-step sign-in
security-to-account = Back to My account
security-step-expired-title = This step is over
security-step-expired = This step took too long, or was finished in another tab. Start again from the two-step sign-in page.
security-app-title = Set up an authenticator app
security-app-intro = To set up an app, type your password again.
security-app-qr-label = QR code to scan with the authenticator app
security-app-step-scan = In your authenticator app, add an account by scanning this QR code.
security-app-step-type = If you cannot scan it, type this key instead:
security-app-open = Open in an authenticator app on this device
security-app-code = Code the app shows now (6 digits)
security-app-submit = Check the code and turn on
security-app-wrong-code = This code does not match. Check that the app's clock is right and type the code it shows now.
security-passkey-title = Add a passkey
security-passkey-intro = Name the passkey so that you recognise it later, then type your password again.
security-passkey-name = Name of the passkey
security-passkey-name-hint = For example: work laptop, phone, blue key.
security-passkey-name-missing = Give the passkey a name.
security-passkey-name-long = The name is too long: at most { $max } characters.
security-passkey-create-intro = Press the button, then follow your browser's instructions to create the passkey “{ $name }”.
security-passkey-create = Create the passkey
security-passkey-failed-title = The passkey was not added
security-passkey-failed = Its answer could not be checked, or it already belongs to your account. Nothing was changed.
security-passkey-again = Try again
security-remove-title = Remove a factor
security-remove-intro = “{ $name }” will no longer sign in to your account. Type your password to confirm.
security-remove-last = It is your last factor: two-step sign-in will be off and your recovery codes will stop working.
security-remove-last-required = Your laboratory requires two-step sign-in: add another factor before you remove this one.
security-remove-submit = Remove
security-codes-title = Your recovery codes
security-codes-intro = Each of these codes signs in once when your app or passkey is not at hand.
security-codes-once = Keep them somewhere safe now, printed or in a password manager: they will not be shown again.
security-codes-saved = I have kept them, continue
security-renew-title = Make new recovery codes
security-renew-intro = New codes replace all the previous ones, which will stop working. Type your password to confirm.
security-renew-submit = Make new codes

account-security-heading = Two-step sign-in
account-security-intro = Ask for a code or a passkey after your password, so that a stolen password is not enough.
account-security-link = Manage two-step sign-in
second-step-passkey-refused-heading = The passkey did not sign in
security-status-to-set-up = Not set up yet: choose an authenticator app or a passkey below.
