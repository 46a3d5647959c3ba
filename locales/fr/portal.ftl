# The portal's screens, in French (the default language).
# A message whose id ends in -html may hold simple markup (<strong>); every
# value put into it is escaped first.

## Around every page

layout-skip = Aller au contenu
layout-brand-suffix = rapports de contrôle
layout-menu = Menu principal
layout-nav-reports = Dosimétrie
layout-nav-account = Mon compte
layout-signed-in-as = Connecté(e) : { $email }
layout-sign-out = Se déconnecter
layout-sign-in = Se connecter
layout-customer-service = Service client :
layout-language = Langue
# The name of the other language, written in that language.
layout-other-language = English
layout-error-title = Erreur – { $title }

## Words used on many pages

common-back-home = Retour à l'accueil
common-form-errors = Votre saisie est à corriger
common-continue = Continuer
common-next = Suivant
common-email = Adresse email
common-password = Mot de passe
common-current-password = Mot de passe actuel
common-password-confirmation = Confirmation du mot de passe
common-cancel-to-account = Annuler et revenir à mon compte
common-sign-in = Se connecter
common-see-reports = Voir mes rapports
common-email-invalid = Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr.
common-too-many-tries = Trop d'essais ont échoué. Par sécurité, réessayez dans un quart d'heure.
common-link-expired-title = Lien expiré
common-invalid-link-title = Lien non valide
common-invalid-link-partial = Ce lien n'est pas valide. Il a peut-être été copié en partie seulement, ou il a déjà servi.
common-invalid-link-reopen = Ouvrez-le de nouveau en cliquant directement dans l'email reçu, plutôt qu'en le copiant. Le portail a aussi besoin que les cookies soient autorisés.
common-access-added-title = Accès ajouté
common-minutes = { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}

## Error pages

error-not-found-title = Page introuvable
error-not-found = Cette page n'existe pas, ou vous n'y avez pas accès.
error-cookies-title = Activez les cookies
error-cookies-why = Le portail a besoin des cookies pour vous reconnaître d'une page à l'autre, et votre navigateur ne les a pas renvoyés.
error-cookies-how = Autorisez les cookies pour ce site dans les réglages de confidentialité de votre navigateur (ils servent uniquement à votre connexion, jamais à de la publicité), puis recommencez.
error-cookies-action = Recommencer
error-form-expired-title = Formulaire expiré
error-form-expired = Ce formulaire n'est plus valable. Rechargez la page et recommencez.
error-bad-request-title = Demande incorrecte
error-bad-request = Cette demande n'a pas pu être comprise. Revenez à la page précédente et réessayez.
error-internal-title = Service momentanément indisponible
error-internal = Une erreur est survenue de notre côté. Réessayez dans quelques minutes ; si le problème persiste, contactez notre service client.

## Home

home-title = Vos rapports de contrôle en ligne
home-lead = { $lab } publie ici les rapports de contrôle de dosimétrie des destinataires que ses clients ont désignés. Vous êtes prévenu(e) par email dès qu'un nouveau rapport est disponible.
home-account-heading = J'ai déjà un compte
home-account-text = Connectez-vous avec votre adresse email et votre mot de passe.
home-codes-heading = J'ai reçu mes codes
home-codes-text = Vous avez reçu par email un code de sécurité et un numéro de rapport : créez votre accès.
home-register = S'inscrire

## Sign-in

signin-title = Connexion
signin-signed-out = Vous êtes déconnecté(e).
signin-blocked-heading = Connexion momentanément bloquée
signin-blocked = Trop de tentatives de connexion ont échoué. Par sécurité, réessayez dans { common-minutes }.
signin-failed-heading = Connexion impossible
signin-failed = Adresse email ou mot de passe incorrect.
signin-remember = Se souvenir de ce navigateur pendant { $days } jours (seulement sur un ordinateur qui vous est réservé)
signin-first-visit = Première visite ?
signin-register-link = Inscrivez-vous avec vos codes
signin-forgotten = Mot de passe oublié ?

## Registration

register-step = Inscription · étape { $step } sur 4
register-codes-title = Inscription – vos codes
register-codes-heading = Vos codes personnels
register-codes-throttled = Trop d'essais ont échoué pour ce numéro de rapport ou depuis votre connexion. Par sécurité, réessayez dans { common-minutes }.
register-codes-mismatch = Ce code de sécurité ne correspond pas à ce numéro de rapport.
register-codes-mismatch-hint = Ce code de sécurité ne correspond pas à ce numéro de rapport. Vérifiez les deux saisies.
register-codes-intro = Saisissez le code de sécurité et le numéro de rapport indiqués dans l'email « { mail-invite-subject } ».
register-code-label = Code de sécurité
register-code-hint = 16 lettres et chiffres, par exemple ABCD-EFGH-JKMN-PQRS. Les tirets et les espaces sont facultatifs.
register-number-label = Numéro de rapport de contrôle
register-number-hint = Par exemple RDC-2025-001001.
register-no-codes = Vous n'avez pas reçu de codes ? Contactez notre service client :
register-code-empty = Saisissez le code de sécurité reçu par email.
register-code-malformed = Le code de sécurité compte 16 lettres et chiffres, par exemple ABCD-EFGH-JKMN-PQRS.
register-number-empty = Saisissez le numéro d'un rapport de contrôle.
register-number-malformed = Le numéro de rapport se compose de lettres, de chiffres et de tirets, par exemple RDC-2025-001001.
register-restart-title = Inscription à reprendre
register-restart = Votre inscription a été interrompue trop longtemps ou n'a pas commencé. Saisissez de nouveau vos codes pour la reprendre.
register-restart-action = Saisir mes codes
register-email-title = Inscription – votre adresse email
register-email-heading = Votre adresse email
register-email-intro = Les rapports de « { $recipient } » seront accessibles avec cette adresse : elle sera votre identifiant de connexion, et les avis de nouveaux rapports y seront envoyés.
register-emails-throttled = Trop d'adresses ont été essayées pour ces rapports. Par sécurité, réessayez dans une heure, ou contactez notre service client.
email-error-empty = Saisissez votre adresse email.
email-error-too-long = Cette adresse est trop longue pour être une adresse email.
email-error-display-name = Saisissez l'adresse seule, sans nom ni chevrons, par exemple prenom.nom@exemple.fr.
email-error-syntax = Cette adresse email n'est pas valide. Vérifiez-la : elle doit ressembler à prenom.nom@exemple.fr.
register-done-already-title = Inscription déjà terminée
register-done-already = Cette inscription est déjà terminée : ces rapports sont déjà accessibles avec cette adresse email. Connectez-vous pour les consulter.
register-taken-title = Ces rapports ont déjà un titulaire
register-taken = Une autre adresse email a déjà terminé l'inscription avec ces codes : elle est titulaire de l'accès à ces rapports.
register-taken-next = Si vous devez aussi les recevoir, demandez à cette personne de vous ajouter comme destinataire depuis « Mon compte ». En cas de doute, contactez notre service client.
register-existing-title = Inscription – compte existant
register-existing = L'adresse { $email } a déjà un compte sur le portail. Les rapports de « { $recipient } » seront ajoutés à ce compte : vous les verrez avec les autres, avec le même mot de passe.
register-certify-title = Inscription – certification
register-certify-heading = Certification
register-certify-missing = Cochez la case pour certifier votre habilitation.
register-certify-intro = Les rapports de contrôle contiennent des données personnelles de santé au travail. Seules les personnes désignées par l'établissement peuvent les recevoir.
register-certify-label = Je certifie être habilité(e) à recevoir les rapports de contrôle de « { $recipient } » à l'adresse { $email }.
register-certify-submit = Terminer
register-too-many-title = Trop de demandes
register-too-many = Trop d'emails de confirmation ont été demandés pour ces rapports. Par sécurité, réessayez dans { common-minutes }, ou contactez notre service client.
register-pending-title = Confirmation en attente
register-pending-html = Un email de confirmation a déjà été envoyé à <strong>{ $email }</strong> le { $date } à { $time } pour cette inscription. Ouvrez le lien qu'il contient (il reste valable { $hours } heures après son envoi).
register-pending-lost = Vous ne le trouvez pas ? Regardez dans les courriers indésirables (spam), ou recevez un nouvel email : le lien de l'ancien ne fonctionnera plus.
register-pending-resend = Renvoyer l'email de confirmation
register-sent-title = Inscription – vérifiez votre messagerie
register-sent-heading = Vérifiez votre messagerie
register-sent-to-html = Un email de confirmation vient d'être envoyé à <strong>{ $email }</strong>. Ouvrez le lien qu'il contient dans les <strong>{ $hours } heures</strong> pour terminer votre inscription.
register-sent-html = Un email de confirmation vient d'être envoyé. Ouvrez le lien qu'il contient dans les <strong>{ $hours } heures</strong> pour terminer votre inscription.
register-sent-lost = Vous ne le trouvez pas ? Attendez quelques minutes et regardez dans les courriers indésirables (spam).
register-sent-help = Si le problème persiste, contactez notre service client :
register-confirm-title = Finaliser mon inscription
register-confirm-intro = Cliquez sur le bouton pour confirmer votre adresse email et terminer votre inscription.
register-confirm-submit = Confirmer mon inscription
register-finished-title = Inscription terminée
register-finished = Votre adresse email est confirmée et votre compte est créé.
register-finished-next = Il ne reste qu'à choisir votre mot de passe pour accéder à vos rapports.
register-access-added = Votre adresse email est confirmée. Ces rapports sont ajoutés à votre compte, avec ceux auxquels vous aviez déjà accès.
register-validated-title = Inscription déjà validée
register-validated = Cette inscription a déjà été validée. Connectez-vous avec votre adresse email et votre mot de passe.
register-validated-no-password = Vous n'avez pas encore choisi de mot de passe ? Utilisez « Mot de passe oublié » sur la page de connexion : un lien pour le choisir vous sera envoyé.
register-link-expired = Ce lien a expiré. Recommencez l'inscription avec vos codes : un nouvel email de confirmation vous sera envoyé.
register-link-expired-action = Recommencer l'inscription
register-link-replaced-title = Lien remplacé
register-link-replaced = Un email de confirmation plus récent vous a été envoyé depuis : ce lien-ci ne sert plus. Ouvrez le lien du dernier email reçu.

## Passwords

password-first-title = Choisir mon mot de passe
password-reset-title = Choisir un nouveau mot de passe
password-change-title = Changer mon mot de passe
password-save-and-see = Enregistrer et voir mes rapports
password-save-new = Enregistrer le nouveau mot de passe
password-protects-html = Ce mot de passe protège l'accès de <strong>{ $email }</strong> aux rapports de contrôle.
password-criteria-heading = Votre mot de passe doit :
password-criterion-length = compter de { $min } à { $max } caractères (une phrase de plusieurs mots convient très bien)
password-criterion-personal = ne contenir ni votre adresse email ni le nom du laboratoire
password-criterion-common = ne pas faire partie des mots de passe les plus courants
password-criterion-match = être saisi deux fois à l'identique
password-any-character = Tous les caractères sont permis, espaces et accents compris.
password-new = Nouveau mot de passe
password-criterion-met = respecté
password-criterion-unmet = pas encore respecté
password-show = Afficher le mot de passe
password-hide = Masquer le mot de passe
password-too-short = Ce mot de passe est trop court : il faut au moins { $min } caractères.
password-too-long = Ce mot de passe est trop long : { $max } caractères au plus.
password-contains-email = Ce mot de passe contient votre adresse email : choisissez-en un autre.
password-contains-lab = Ce mot de passe contient le nom du laboratoire : choisissez-en un autre.
password-common = Ce mot de passe fait partie des plus courants, donc des premiers essayés par les pirates : choisissez-en un autre.
password-mismatch = Les deux saisies ne sont pas identiques.
password-unchanged = Le nouveau mot de passe doit être différent de l'actuel.
password-current-wrong = Le mot de passe actuel n'est pas celui-ci.
first-connection-no-link = Pour choisir votre mot de passe, ouvrez le lien reçu par email en cliquant dessus. Le portail a besoin que les cookies soient autorisés dans votre navigateur.
first-connection-has-password = Vous avez déjà un mot de passe ? Connectez-vous.
first-connection-already-title = Mot de passe déjà choisi
first-connection-already = Votre mot de passe est déjà choisi. Connectez-vous pour voir vos rapports.
first-connection-expired = Ce lien de première connexion a expiré. Le prochain avis de nouveaux rapports en contiendra un nouveau ; d'ici là, notre service client peut vous aider.

## Forgotten password

reset-title = Mot de passe oublié
reset-intro = Saisissez l'adresse email avec laquelle vous vous connectez : si elle correspond à un compte, vous recevrez un lien pour choisir un nouveau mot de passe.
reset-submit = Recevoir un lien
reset-back-to-signin = Retour à la connexion
reset-email-invalid = Saisissez l'adresse email avec laquelle vous vous connectez, par exemple prenom.nom@exemple.fr.
reset-sent-title = Vérifiez votre messagerie
reset-sent = Si un compte existe pour l'adresse { $email }, un email vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe. Ce lien est valable une heure.
reset-sent-lost = Vous ne le trouvez pas ? Attendez quelques minutes et regardez dans les courriers indésirables (spam), ou vérifiez l'adresse saisie.
reset-link-expired = Ce lien pour changer de mot de passe a expiré : il n'est valable qu'une heure. Demandez-en un nouveau.
reset-link-expired-action = Demander un nouveau lien

## My account

account-title = Mon compte
account-login-heading = Identifiant
account-login-html = Vous vous connectez avec l'adresse <strong>{ $email }</strong>. Les avis de nouveaux rapports sont envoyés à cette adresse.
account-change-email = Changer mon adresse email / identifiant
account-password-heading = Mot de passe
account-change-password = Changer mon mot de passe
account-access-heading = Rapports auxquels vous avez accès
account-no-recipient = Aucun destinataire n'est rattaché à ce compte pour le moment.
account-owner = titulaire
account-delegated = accès délégué
account-delegates-heading = Personnes qui reçoivent aussi vos rapports
account-delegates-intro = Vous pouvez donner accès à vos rapports à d'autres personnes (jusqu'à { $limit }). Elles ne pourront pas à leur tour donner cet accès.
account-no-delegate = Personne pour le moment.
account-delegate-pending = invitation envoyée, compte pas encore créé
account-delegate-remove = Retirer
account-delegate-remove-whom = l'accès accordé à { $email }
account-delegate-email = Adresse email de la personne à ajouter
account-delegate-submit = Donner l'accès
account-granted-heading = Accès qui vous ont été délégués
account-granted-intro = Ces titulaires vous ont donné accès à leurs rapports :
account-granted-no-share = Un accès délégué ne peut pas être partagé à son tour : pour qu'une autre personne reçoive ces rapports, adressez-vous au titulaire.
account-done-password = Votre nouveau mot de passe est enregistré. Vos autres connexions ont été fermées et un email vous le confirme.
account-done-delegate-added = Cette personne a désormais accès à vos rapports ; un email l'en informe.
account-done-delegate-invited = Une invitation à créer son compte a été envoyée à cette adresse (valable { $days } jours).
account-done-delegate-removed = Cet accès est supprimé : cette personne ne voit plus vos rapports.
account-done-email-asked = Un lien de confirmation a été envoyé à la nouvelle adresse (valable { $hours } heures). Votre identifiant ne change qu'une fois ce lien ouvert.
delegate-already-there = Cette adresse a déjà accès à vos rapports, ou une invitation en attente.
delegate-itself = C'est l'adresse de votre propre compte.
delegate-limit = Vous avez atteint le nombre maximal de destinataires : retirez-en un avant d'en ajouter un autre.
delegate-not-owner = Seul le titulaire d'un accès peut le partager. Votre accès vous a été délégué : adressez-vous à la personne qui vous l'a donné.
delegate-remove-title = Retirer un accès
delegate-remove-html = <strong>{ $email }</strong> ne pourra plus voir vos rapports de contrôle, dès sa prochaine page, y compris si cette personne est connectée en ce moment. Une invitation en attente ne pourra plus servir.
delegate-remove-submit = Retirer l'accès accordé à { $email }

## Login email change

email-change-title = Changer mon adresse email
email-change-current-html = Votre adresse actuelle est <strong>{ $email }</strong>. La nouvelle adresse deviendra votre identifiant de connexion et recevra les avis de nouveaux rapports. Un lien de confirmation lui sera envoyé : rien ne change tant qu'il n'est pas ouvert. Votre mot de passe reste le même.
email-change-new = Nouvelle adresse email
email-change-again = Nouvelle adresse email, une seconde fois
email-change-submit = Envoyer le lien de confirmation
email-change-mismatch = Les deux saisies de la nouvelle adresse ne sont pas identiques.
email-change-same = C'est déjà l'adresse de votre compte.
email-change-wrong-password = Le mot de passe n'est pas celui de votre compte.
email-confirm-title = Confirmer ma nouvelle adresse
email-confirm-html = Après confirmation, votre identifiant de connexion sera <strong>{ $email }</strong>. Votre mot de passe ne change pas.
email-confirm-submit = Confirmer le changement d'identifiant
email-changed-title = Adresse email changée
email-changed = Votre identifiant est désormais { $email }. Utilisez cette adresse pour vous connecter ; votre mot de passe ne change pas.
email-change-taken-title = Changement impossible
email-change-taken = Cette adresse est déjà celle d'un autre compte du portail : elle ne peut pas devenir l'identifiant de celui-ci. Rien n'a été changé.

## Delegate invitation

invitation-title = Créer mon compte
invitation-existing-html = <strong>{ $owner }</strong> vous donne accès à ses rapports de contrôle. L'adresse <strong>{ $email }</strong> a déjà un compte sur le portail : acceptez, et ces rapports s'ajouteront aux vôtres. Votre mot de passe ne change pas.
invitation-accept = Accepter l'accès
invitation-new-html = <strong>{ $owner }</strong> vous donne accès à ses rapports de contrôle. Choisissez un mot de passe pour créer votre compte ; vous vous connecterez avec l'adresse <strong>{ $email }</strong>.
invitation-submit = Créer mon compte et voir les rapports
invitation-expired-title = Invitation expirée
invitation-expired = Cette invitation a expiré. Demandez à la personne qui vous l'a envoyée de vous ajouter de nouveau.
invitation-added = Cette adresse avait déjà un compte : les rapports partagés y sont ajoutés. Connectez-vous avec votre mot de passe habituel.

## Reports

reports-title = Dosimétrie – mes rapports de contrôle
reports-heading = Mes rapports de contrôle
reports-retention = Conformément à la réglementation sur la protection des données, chaque rapport reste disponible { $months } mois après sa publication, puis il est supprimé du portail : pensez à enregistrer ceux que vous devez conserver.
reports-recipient = Destinataire
reports-all-recipients = Tous
reports-year = Année d'émission
reports-all-years = Toutes
reports-filter = Filtrer
reports-none = Aucun rapport ne correspond à ces critères.
reports-count = { $count ->
    [one] 1 rapport
   *[other] { $shown } rapports
}
reports-page-of = page { $page } sur { $pages }
reports-caption = Rapports de contrôle, du plus récent au plus ancien
reports-number = N° de rapport
reports-period = Période
reports-kind = Type
reports-published = Publié le
reports-available-until = Disponible jusqu'au
reports-file = Fichier
reports-new = Nouveau
reports-download = Télécharger
reports-download-which = le rapport { $number }
reports-pages = Pages
reports-previous = ← Page précédente
reports-next = Page suivante →
report-kind-periodic = Périodique
report-kind-complementary = Complémentaire
report-kind-corrective = Rectificatif
reports-file-size = PDF, { $size }
reports-select = Choisir
reports-select-which = Ajouter le rapport { $number } au fichier ZIP
reports-zip-hint = Cochez les rapports voulus puis téléchargez-les ensemble dans un seul fichier ZIP ({ $max } rapports au plus).
reports-zip-selected = Télécharger les rapports cochés (ZIP)
reports-zip-all = Télécharger tous les rapports de ce destinataire pour { $year } (ZIP)

archive-title = Téléchargement groupé
archive-none = Aucun rapport n'a été coché. Cochez au moins un rapport dans la liste, puis recommencez.
archive-too-many = Un fichier ZIP regroupe au plus { $max } rapports. Cochez-en moins, ou filtrez la liste par destinataire et par année.
archive-back = Revenir à mes rapports

account-history-heading = Historique des téléchargements
account-history-intro = Voyez qui, de vous ou des personnes à qui vous avez donné accès, a téléchargé vos rapports, et quand.
account-history-link = Consulter l'historique des téléchargements
history-title = Historique des téléchargements
history-back = ← Revenir à Mon compte
history-intro = Chaque téléchargement d'un rapport de vos destinataires, par vous ou par une personne à qui vous avez donné accès, du plus récent au plus ancien.
history-none = Aucun de vos rapports n'a encore été téléchargé.
history-count = { $count ->
    [one] 1 téléchargement
   *[other] { $shown } téléchargements
}
history-export = Exporter l'historique (CSV)
history-caption = Téléchargements de vos rapports, du plus récent au plus ancien
history-col-when = Date
history-col-who = Téléchargé par
history-col-role = Qualité
history-col-number = N° de rapport
history-col-code = Code destinataire
history-col-recipient = Destinataire
history-role-owner = titulaire
history-role-delegate = accès délégué
history-at = { $date } à { $time }
history-csv-name = historique-telechargements.csv

## Connexion en deux étapes

second-step-title = Deuxième étape de la connexion
second-step-intro = Votre mot de passe est correct. Votre compte demande aussi une seconde preuve que c'est bien vous.
second-step-refused-heading = Ce code ne permet pas de se connecter
second-step-wrong-code = Ce code n'est pas bon, ou a déjà servi. Vérifiez-le et saisissez-le de nouveau.
second-step-blocked = Trop de codes erronés. Pour la sécurité de votre compte, réessayez dans { $minutes ->
    [one] une minute
   *[other] { $minutes } minutes
}.
second-step-passkey-failed = La réponse de la clé d'accès n'a pas permis la connexion. Réessayez, ou utilisez un code.
second-step-passkey-heading = Avec une clé d'accès
second-step-passkey-submit = Utiliser ma clé d'accès
second-step-code-heading = Avec un code
second-step-recovery-heading = Avec un code de secours
second-step-code-label = Code
second-step-recovery-label = Code de secours
second-step-code-hint = Les 6 chiffres qu'affiche maintenant votre application d'authentification, ou l'un de vos codes de secours.
second-step-recovery-hint = L'un des codes de secours conservés lors de l'activation de la connexion en deux étapes, par exemple ABCD-EFGH-JKMN-PQRS.
second-step-submit = Se connecter
second-step-lost = Appareil et codes de secours perdus ? Appelez notre service client : après avoir vérifié votre identité, il peut désactiver la connexion en deux étapes de votre compte.
second-step-cancel = Annuler et se déconnecter
passkey-unsupported = Ce navigateur ne sait pas utiliser les clés d'accès. Utilisez un autre moyen proposé sur cette page.
passkey-cancelled = La clé d'accès n'a pas répondu (annulation ou délai dépassé). Appuyez de nouveau sur le bouton pour réessayer.
passkey-needs-script = Les clés d'accès ont besoin de JavaScript, désactivé dans ce navigateur.

security-title = Connexion en deux étapes
security-done-app = L'application d'authentification est activée : la connexion demande désormais l'un de ses codes.
security-done-passkey = La clé d'accès est ajoutée : elle permet désormais de se connecter après votre mot de passe.
security-done-removed = Le moyen de connexion a été retiré.
security-done-codes = Vos nouveaux codes de secours sont actifs ; les précédents ne fonctionnent plus.
security-required-enrol = Votre laboratoire demande à chaque compte de se connecter en deux étapes. Activez une application d'authentification ou une clé d'accès pour accéder à vos rapports.
security-status-heading = État
security-status-on = Activée : après votre mot de passe, la connexion demande un code de votre application, une clé d'accès ou un code de secours.
security-status-off = Désactivée : votre mot de passe suffit pour vous connecter. Ajoutez une application d'authentification ou une clé d'accès pour qu'un mot de passe volé ne suffise pas.
security-required = Votre laboratoire impose la connexion en deux étapes : le dernier moyen ne peut pas être retiré.
security-app-heading = Application d'authentification
security-app-name = application d'authentification
security-app-since = Activée le { $date }.
security-app-none = Une application de votre téléphone (par exemple FreeOTP, Aegis, Google Authenticator ou Microsoft Authenticator) affiche un nouveau code de 6 chiffres toutes les 30 secondes.
security-app-add = Activer une application d'authentification
security-remove = Retirer
security-passkeys-heading = Clés d'accès
security-passkeys-intro = Une clé d'accès est conservée par votre téléphone, votre ordinateur ou une clé de sécurité, et se déverrouille par empreinte, visage ou code PIN.
security-passkey-since = ajoutée le { $date }
security-passkey-used = dernière utilisation le { $date }
security-passkey-add = Ajouter une clé d'accès
security-codes-heading = Codes de secours
security-codes-left = { $count ->
    [0] Plus aucun code de secours : créez-en de nouveaux dès maintenant.
    [one] Il reste un code de secours.
   *[other] Il reste { $count } codes de secours.
}
security-codes-renew = Créer de nouveaux codes de secours
security-continue = Continuer
security-back = Retour à la connexion en deux étapes
security-to-account = Retour à Mon compte
security-step-expired-title = Cette étape est terminée
security-step-expired = Cette étape a pris trop de temps, ou a été terminée dans un autre onglet. Recommencez depuis la page de connexion en deux étapes.
security-app-title = Activer une application d'authentification
security-app-intro = Pour activer une application, saisissez de nouveau votre mot de passe.
security-app-qr-label = QR code à scanner avec l'application d'authentification
security-app-step-scan = Dans votre application d'authentification, ajoutez un compte en scannant ce QR code.
security-app-step-type = Si vous ne pouvez pas le scanner, saisissez plutôt cette clé :
security-app-open = Ouvrir dans une application d'authentification de cet appareil
security-app-code = Code affiché maintenant par l'application (6 chiffres)
security-app-submit = Vérifier le code et activer
security-app-wrong-code = Ce code ne correspond pas. Vérifiez l'heure de l'appareil et saisissez le code affiché maintenant.
security-passkey-title = Ajouter une clé d'accès
security-passkey-intro = Nommez la clé d'accès pour la reconnaître plus tard, puis saisissez de nouveau votre mot de passe.
security-passkey-name = Nom de la clé d'accès
security-passkey-name-hint = Par exemple : ordinateur du bureau, téléphone, clé bleue.
security-passkey-name-missing = Donnez un nom à la clé d'accès.
security-passkey-name-long = Le nom est trop long : { $max } caractères au plus.
security-passkey-create-intro = Appuyez sur le bouton, puis suivez les indications de votre navigateur pour créer la clé d'accès « { $name } ».
security-passkey-create = Créer la clé d'accès
security-passkey-failed-title = La clé d'accès n'a pas été ajoutée
security-passkey-failed = Sa réponse n'a pas pu être vérifiée, ou elle appartient déjà à votre compte. Rien n'a été modifié.
security-passkey-again = Réessayer
security-remove-title = Retirer un moyen de connexion
security-remove-intro = « { $name } » ne permettra plus de vous connecter. Saisissez votre mot de passe pour confirmer.
security-remove-last = C'est votre dernier moyen : la connexion en deux étapes sera désactivée et vos codes de secours ne fonctionneront plus.
security-remove-last-required = Votre laboratoire impose la connexion en deux étapes : ajoutez un autre moyen avant de retirer celui-ci.
security-remove-submit = Retirer
security-codes-title = Vos codes de secours
security-codes-intro = Chacun de ces codes permet une seule connexion quand votre application ou votre clé d'accès n'est pas à portée de main.
security-codes-once = Conservez-les maintenant en lieu sûr, imprimés ou dans un gestionnaire de mots de passe : ils ne seront plus affichés.
security-codes-saved = Je les ai conservés, continuer
security-renew-title = Créer de nouveaux codes de secours
security-renew-intro = Les nouveaux codes remplacent tous les précédents, qui ne fonctionneront plus. Saisissez votre mot de passe pour confirmer.
security-renew-submit = Créer de nouveaux codes

account-security-heading = Connexion en deux étapes
account-security-intro = Demandez un code ou une clé d'accès après votre mot de passe, pour qu'un mot de passe volé ne suffise pas.
account-security-link = Gérer la connexion en deux étapes
second-step-passkey-refused-heading = La clé d'accès n'a pas permis la connexion
security-status-to-set-up = Pas encore activée : choisissez ci-dessous une application d'authentification ou une clé d'accès.
