# The emails, in English. Each subject is followed by the lab's name.

mail-greeting = Hello,
mail-action-line = { $label }: { $link }
mail-code-line = { $label }: { $value }
mail-questions = Questions: { $email } – { $phone }
mail-automatic = This message is sent automatically; please do not reply to it.
mail-subject = { $title } – { $lab }

mail-invite-subject = Control reports: register to read them online
mail-invite-intro = { $lab } now publishes the control reports of “{ $recipient }” online. To read them, create your access on the portal with the two codes below:
mail-invite-code = Security code
mail-invite-number = Report number
mail-invite-action = Create my access
mail-invite-personal = These codes are personal: share them only with the person in charge of receiving these reports.

mail-confirm-subject = Confirm your address to receive the control reports
mail-confirm-intro = You asked to receive the control reports of “{ $recipient }” at this address. To complete your registration, open the link below within { $hours } hours, then click “Confirm my registration”.
mail-confirm-action = Complete my registration
mail-confirm-after = Once that time has passed, you will need to enter your codes again. If you did not ask for this, ignore this message: nothing will happen.

mail-new-subject = { $count ->
    [one] A new control report is available
   *[other] { $count } new control reports are available
}
mail-new-intro = { $count ->
    [one] A new control report is available on the portal.
   *[other] { $count } new control reports are available on the portal.
}
mail-new-first = On your first visit you will choose your password (this link stays valid for { $days } days); your reports will then be listed.
mail-new-first-action = Choose my password
mail-new-sign-in = Sign in to download them.
mail-new-action = Download my reports

mail-expiring-subject = Control reports will soon leave the portal
mail-expiring-intro = { $count ->
    [one] One of your control reports will leave the portal on { $on }, at the end of its availability period.
   *[other] { $count } of your control reports will leave the portal on { $on }, at the end of their availability period.
} Remember to save those you must keep.
mail-expiring-action = See my reports

mail-password-changed-subject = The password of your account was changed
mail-password-changed-intro = The password of your account on the control reports portal has just been changed, and every other session of the account has been signed out.
mail-password-changed-not-you = If this was not you, choose a new password now with “Forgotten your password?” and tell our customer service.
mail-password-changed-action = Forgotten password

mail-reset-subject = Choose a new password
mail-reset-intro = You asked to choose a new password. Open the link below within { $minutes } minutes.
mail-reset-action = Change my password
mail-reset-ignore = If you did not ask for this, ignore this message: your password stays the one you know.

mail-delegate-subject = Access to control reports
mail-delegate-intro = The account { $owner } gives you access to its control reports on the { $lab } portal.
mail-delegate-create = To read them, create your account by choosing a password (link valid for { $days } days).
mail-delegate-create-action = Create my account
mail-delegate-existing = They already appear with yours when you sign in.
mail-delegate-existing-action = See my reports

mail-email-confirm-subject = Confirm your new sign-in address
mail-email-confirm-intro = You asked for this address to become the sign-in name of your account, instead of { $old }. Your password does not change.
mail-email-confirm-within = To confirm, open the link below within { $hours } hours.
mail-email-confirm-action = Confirm the new sign-in name
mail-email-confirm-ignore = If you did not ask for this, ignore this message: nothing will change.

mail-email-changed-subject = Your sign-in address was changed
mail-email-changed-intro = The sign-in name of your account is now { $new }. This address can no longer be used to sign in and will no longer receive our notices.
mail-email-asked-subject = Request to change your sign-in address
mail-email-asked-intro = Someone asked for { $new } to become the sign-in name of your account. Nothing changes until the link sent to that new address is opened.
mail-email-asked-not-you = If this was not you, change your password and tell our customer service.
mail-email-changed-not-you = If this was not you, contact our customer service at once: this address no longer gives access to the account.

mail-factor-subject = Two-step sign-in on your account changed
mail-factor-app-added = An authenticator app was set up for your account: from now on, signing in asks for one of its codes after your password.
mail-factor-passkey-added = The passkey “{ $name }” was added to your account: from now on, signing in may use it after your password.
mail-factor-app-removed = The authenticator app of your account was removed: its codes no longer sign in.
mail-factor-passkey-removed = The passkey “{ $name }” was removed from your account: it no longer signs in.
mail-factor-codes-renewed = New recovery codes were made for your account: the previous ones no longer work.
mail-factor-code-used = A recovery code was just used to sign in to your account. { $left ->
    [0] None is left: make new ones from your account's security page.
    [one] One is left.
   *[other] { $left } are left.
}
mail-factor-all-removed = At your request, our customer service removed the two-step sign-in of your account: your password alone signs in again, and every session was signed out.
mail-factor-not-you = If this was not you, someone knows your password: from a session still open, remove any factor you do not know on your account's security page and change your password, or call our customer service at once.
mail-factor-action = Review my account's security
