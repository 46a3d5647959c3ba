# The emails, in French. Each subject is followed by the lab's name.

mail-greeting = Bonjour,
mail-action-line = { $label } : { $link }
mail-code-line = { $label } : { $value }
mail-questions = Pour toute question : { $email } – { $phone }
mail-automatic = Ce message est envoyé automatiquement ; merci de ne pas y répondre.
mail-subject = { $title } – { $lab }

mail-invite-subject = Rapports de contrôle : inscrivez-vous pour les consulter en ligne
mail-invite-intro = { $lab } publie désormais en ligne les rapports de contrôle de « { $recipient } ». Pour les consulter, créez votre accès sur le portail avec les deux codes ci-dessous :
mail-invite-code = Code de sécurité
mail-invite-number = Numéro de rapport
mail-invite-action = Créer mon accès
mail-invite-personal = Ces codes sont personnels : ne les transmettez qu'à la personne chargée de recevoir ces rapports.

mail-confirm-subject = Confirmez votre adresse pour recevoir les rapports de contrôle
mail-confirm-intro = Vous avez demandé à recevoir les rapports de contrôle de « { $recipient } » à cette adresse. Pour terminer votre inscription, ouvrez le lien ci-dessous dans les { $hours } heures, puis cliquez sur « Confirmer mon inscription ».
mail-confirm-action = Finaliser mon inscription
mail-confirm-after = Passé ce délai, il faudra saisir à nouveau vos codes. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne sera fait.

mail-new-subject = { $count ->
    [one] Un nouveau rapport de contrôle est disponible
   *[other] { $count } nouveaux rapports de contrôle sont disponibles
}
mail-new-intro = { $count ->
    [one] Un nouveau rapport de contrôle est disponible sur le portail.
   *[other] { $count } nouveaux rapports de contrôle sont disponibles sur le portail.
}
mail-new-first = Lors de votre première visite, vous allez choisir votre mot de passe (ce lien reste valable { $days } jours) ; vos rapports s'afficheront ensuite.
mail-new-first-action = Choisir mon mot de passe
mail-new-sign-in = Connectez-vous pour les télécharger.
mail-new-action = Télécharger mes rapports

mail-expiring-subject = Des rapports de contrôle vont bientôt être retirés du portail
mail-expiring-intro = { $count ->
    [one] Un de vos rapports de contrôle sera retiré du portail le { $on }, à la fin de sa durée de mise à disposition.
   *[other] { $count } de vos rapports de contrôle seront retirés du portail le { $on }, à la fin de leur durée de mise à disposition.
} Pensez à enregistrer ceux que vous devez conserver.
mail-expiring-action = Voir mes rapports

mail-password-changed-subject = Le mot de passe de votre compte a été changé
mail-password-changed-intro = Le mot de passe de votre compte sur le portail des rapports de contrôle vient d'être changé, et toutes les autres connexions à ce compte ont été fermées.
mail-password-changed-not-you = Si ce n'est pas vous, choisissez tout de suite un nouveau mot de passe avec « Mot de passe oublié » et prévenez notre service client.
mail-password-changed-action = Mot de passe oublié

mail-reset-subject = Choisissez un nouveau mot de passe
mail-reset-intro = Vous avez demandé à choisir un nouveau mot de passe. Ouvrez le lien ci-dessous dans les { $minutes } minutes.
mail-reset-action = Changer mon mot de passe
mail-reset-ignore = Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste celui que vous connaissez.

mail-delegate-subject = Accès aux rapports de contrôle
mail-delegate-intro = Le compte { $owner } vous donne accès à ses rapports de contrôle sur le portail de { $lab }.
mail-delegate-create = Pour les consulter, créez votre compte en choisissant un mot de passe (lien valable { $days } jours).
mail-delegate-create-action = Créer mon compte
mail-delegate-existing = Ils apparaissent déjà avec les vôtres lorsque vous vous connectez.
mail-delegate-existing-action = Voir mes rapports

mail-email-confirm-subject = Confirmez votre nouvelle adresse de connexion
mail-email-confirm-intro = Vous avez demandé que cette adresse devienne l'identifiant de votre compte, à la place de { $old }. Votre mot de passe ne change pas.
mail-email-confirm-within = Pour confirmer, ouvrez le lien ci-dessous dans les { $hours } heures.
mail-email-confirm-action = Confirmer le changement d'identifiant
mail-email-confirm-ignore = Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne sera changé.

mail-email-changed-subject = Votre adresse de connexion a été changée
mail-email-changed-intro = L'identifiant de votre compte est désormais { $new }. Cette adresse-ci ne permet plus de vous connecter et ne recevra plus nos avis.
mail-email-asked-subject = Demande de changement de votre adresse de connexion
mail-email-asked-intro = Une demande a été faite pour que { $new } devienne l'identifiant de votre compte. Rien ne change tant que le lien envoyé à cette nouvelle adresse n'est pas ouvert.
mail-email-asked-not-you = Si ce n'est pas vous, changez votre mot de passe et prévenez notre service client.
mail-email-changed-not-you = Si ce n'est pas vous, contactez sans attendre notre service client : cette adresse ne permet plus d'accéder au compte.

mail-factor-subject = La connexion en deux étapes de votre compte a changé
mail-factor-app-added = Une application d'authentification a été associée à votre compte : désormais, la connexion demande l'un de ses codes après votre mot de passe.
mail-factor-passkey-added = La clé d'accès « { $name } » a été ajoutée à votre compte : désormais, elle peut servir à la connexion après votre mot de passe.
mail-factor-app-removed = L'application d'authentification de votre compte a été retirée : ses codes ne permettent plus de se connecter.
mail-factor-passkey-removed = La clé d'accès « { $name } » a été retirée de votre compte : elle ne permet plus de se connecter.
mail-factor-codes-renewed = De nouveaux codes de secours ont été créés pour votre compte : les précédents ne fonctionnent plus.
mail-factor-code-used = Un code de secours vient de servir à se connecter à votre compte. { $left ->
    [0] Il n'en reste plus aucun : créez-en de nouveaux depuis la page de sécurité de votre compte.
    [one] Il en reste un.
   *[other] Il en reste { $left }.
}
mail-factor-all-removed = À votre demande, notre service client a retiré la connexion en deux étapes de votre compte : votre mot de passe suffit de nouveau pour vous connecter, et toutes les connexions ouvertes ont été fermées.
mail-factor-not-you = Si ce n'est pas vous, quelqu'un connaît votre mot de passe : depuis une connexion encore ouverte, retirez tout moyen inconnu sur la page de sécurité de votre compte et changez votre mot de passe, ou appelez tout de suite notre service client.
mail-factor-action = Voir la sécurité de mon compte
