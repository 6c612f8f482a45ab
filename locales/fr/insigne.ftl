# insigne — les mots des pages publiques, en français (langue par défaut).
# Chaque clé existe aussi dans ../en/insigne.ftl (un test le vérifie).

language-name = Français
other-language-name = English
skip-link = Aller au contenu
site-name = insigne
skip-links = Accès rapide
home-link = accueil
site-tagline = Les badges numériques de la formation des formateurs, académie de Versailles
site-footer = insigne délivre et vérifie les Open Badges de la formation des formateurs de l'académie de Versailles (DANE).
footer-verify = Vérifier un badge
footer-accessibility = Accessibilité : non conforme
footer-navigation = Liens du site

## Dates : « 28 novembre 2026 », « 1er août 2027 »

date = { $day ->
    [1] 1er
   *[other] { $day }
} { $month } { $year }
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Page d'un badge décerné

badge-title = { $badge } — { $earner }
badge-image-alt = Image du badge « { $badge } »
badge-facts = Informations sur ce badge
badge-awarded-to = Décerné à
badge-issued-by = Émis par
badge-issued-on = Date d'émission
badge-expires-on = Date d'expiration
badge-no-expiry = Aucune : ce badge n'expire pas
badge-status = Statut
status-valid = Valide : badge authentique, en cours de validité et non révoqué.
status-expired = Expiré depuis le { $date }.
status-revoked = Révoqué le { $date }. Motif : { $reason }
revoked-banner = Ce badge a été révoqué par son émetteur le { $date }. Il n'atteste plus rien. Motif : { $reason }
section-description = Description
section-criteria = Critères d'obtention
criteria-more = Voir les critères détaillés
criteria-class = Voir la page de ce badge
section-competencies = Compétences attestées
competency-framework = Référentiel : { $framework }
section-evidence = Preuves
section-narrative = Pourquoi ce badge a été décerné
section-share = Partager
share-link-label = Adresse de ce badge
share-copy = Copier le lien
share-copied = Lien copié dans le presse-papiers.
share-linkedin = Ajouter à mon profil LinkedIn
share-linkedin-note = ouvre LinkedIn dans un nouvel onglet
share-print = Imprimer
qr-caption = Scannez ce code pour voir le statut à jour de ce badge.
qr-alt = Code QR menant à { $url }
print-note = Le statut à jour de ce badge (valide, expiré ou révoqué) se lit à l'adresse : { $url }
section-download = Télécharger
download-png = Image du badge, PNG (badge signé intégré)
download-svg = Image du badge, SVG (badge signé intégré)
download-ob3-json = Attestation Open Badges 3.0, JSON signé
download-ob3-jwt = Attestation Open Badges 3.0, JWT
section-machine = Pour les logiciels de vérification
machine-ob2 = Assertion Open Badges 2.0 (JSON-LD)
machine-ob2-signed = Assertion Open Badges 2.0 signée (JWS)
verify-link = Vérifier un badge reçu
verify-with-verifierplus = Vérifier avec VerifierPlus (un vérificateur indépendant)
og-description = Badge « { $badge } » décerné à { $earner } par { $issuer }.

## Page introuvable

not-found-title = Page introuvable
not-found-text = Aucun badge, modèle de badge ni émetteur ne se trouve à cette adresse. Vérifiez l'adresse reçue ; si vous avez le badge lui-même (image, fichier), le vérificateur le lit.

## Page d'un modèle de badge

class-title = { $badge } — { $issuer }
class-issued-by = Émis par
class-validity = Durée de validité
class-validity-days = { $days ->
    [one] { $days } jour
   *[other] { $days } jours
}
class-no-validity = Sans limite de durée
class-tags = Mots-clés
machine-class = Modèle de badge Open Badges 2.0 (JSON-LD)

## Page d'un émetteur

issuer-image-alt = Logo de { $issuer }
issuer-website = Site web
issuer-contact = Contact
issuer-badges = Badges décernés par cet émetteur
issuer-no-badges = Cet émetteur ne décerne encore aucun badge.
machine-issuer = Profil Open Badges 2.0 (JSON-LD)
machine-did = Document DID (Open Badges 3.0)

## Déclaration d'accessibilité

a11y-title = Déclaration d'accessibilité
a11y-intro = L'éditeur de ce service s'engage à rendre ses pages publiques accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique aux pages publiques d'insigne : pages des badges, des modèles de badges et des émetteurs, et page de vérification.
a11y-status-title = État de conformité
a11y-status = Ces pages sont non conformes au référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1 : aucun audit complet n'a encore été réalisé. Elles visent le niveau AA des WCAG 2.1.
a11y-tests-title = Ce qui est vérifié
a11y-tests-1 = À chaque version, un test automatique ouvre une page de badge dans un navigateur et y cherche les défauts d'accessibilité avec axe-core ; aucun défaut grave ni critique n'est accepté.
a11y-tests-2 = Chaque page déclare sa langue, et celle des passages dans une autre langue ; elle a un seul titre de niveau 1 et des titres ordonnés.
a11y-tests-3 = Tout se lit sans JavaScript et s'utilise au clavier seul, avec un focus visible ; le statut d'un badge est écrit en toutes lettres, jamais indiqué par la seule couleur.
a11y-tests-4 = Les textes ont un contraste d'au moins 4,5:1 ; chaque image porte une alternative textuelle.
a11y-limits-title = Contenus non accessibles
a11y-limits = L'image d'un badge est fournie par son émetteur : son alternative textuelle reprend le nom du badge, pas le détail de son dessin. Les fichiers téléchargeables (PNG, SVG, JSON, JWT) sont destinés aux logiciels de vérification.
a11y-contact-title = Retour d'information et contact
a11y-contact = Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez l'émetteur du badge (son adresse figure sur sa page) pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.
a11y-remedy-title = Voies de recours
a11y-remedy = Si vous signalez un défaut d'accessibilité et n'obtenez pas de réponse satisfaisante, vous pouvez écrire au Défenseur des droits (formulaire en ligne ou courrier gratuit : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07) ou contacter son délégué dans votre région.

## Page de vérification

verify-title = Vérifier un badge
verify-intro = Collez l'adresse d'un badge, un badge signé (JWS ou JWT) ou son JSON, ou choisissez l'image du badge (PNG ou SVG).
verify-paste = Adresse, JWS, JWT ou JSON du badge
verify-file = Ou l'image du badge (PNG ou SVG)
verify-recipient = Adresse électronique du titulaire (facultatif)
verify-submit = Vérifier
verify-result = Résultat
verdict-valid = Badge authentique, en cours de validité et non révoqué.
verdict-valid-warnings = Badge authentique, en cours de validité et non révoqué, avec des réserves : lisez les avertissements.
verdict-invalid = Badge non valide : voir les vérifications en échec.
verdict-unknown = Vérification incomplète : certaines vérifications n'ont pas pu être faites.
verdict-not-a-badge = Ce n'est pas un badge : aucun Open Badge n'a été trouvé dans ce qui a été donné.
verdict-busy = Le vérificateur est occupé : réessayez dans un instant.
verdict-intact-only = Le contenu est intact, mais rien ne montre qu'il vient de l'émetteur qu'il nomme.
check-line = { $label }{ "\u00A0" }: { $status }.
check-passed = Réussi
check-failed = Échec
check-warning = Avertissement
check-skipped = Non vérifié
check-input = Fichier reçu
check-unbake = Badge intégré à l'image
check-format = Format du badge
check-fetch = Téléchargement du badge
check-structure = Champs obligatoires
check-badge-class = Description du badge
check-issuer = Profil de l'émetteur
check-contexts = Vocabulaire (contextes JSON-LD)
check-json-schema = Schéma JSON
check-signature = Signature
check-jwt-alg = Algorithme de signature
check-jwt-claims = Contenu du jeton signé
check-key-owner = Clé de l'émetteur
check-verification-policy = Adresse autorisée par l'émetteur
check-hosted = Badge publié par l'émetteur
check-issued-on = Date d'émission
check-expiry = Date d'expiration
check-revocation = Révocation
check-recipient = Titulaire
check-endorsement = Recommandation
check-limits = Taille du badge
check-deadline = Temps imparti
check-other = Autre vérification

## Messages aux titulaires (courriel, texte brut)

email-awarded-subject = Votre badge « { $badge } »
email-revoked-subject = Badge « { $badge } » révoqué
email-greeting = Bonjour { $name },
email-awarded-intro = { $issuer } vous a décerné le badge « { $badge } ».
email-competencies = Ce badge atteste les compétences suivantes :
email-competency-line = - { $code } { $name } (référentiel : { $framework })
email-page = Votre badge, à partager et à faire vérifier : { $url }
email-linkedin = Pour l'ajouter à votre profil LinkedIn, ouvrez ce lien une fois connecté à LinkedIn : { $url }
email-mine = Tous vos badges, et qui peut les voir : { $url }
email-revoked-intro = { $issuer } a révoqué le badge « { $badge } » qui vous avait été décerné le { $date }.
email-revoked-reason = Motif : { $reason }
email-revoked-page = Sa page indique désormais qu'il est révoqué : { $url }
email-signature = insigne, pour { $issuer }
email-why = Vous recevez ce message parce qu'un badge vous a été décerné sur insigne.
email-signin-subject = Votre lien vers « mes badges »
email-signin-greeting = Bonjour,
email-signin-intro = Pour voir vos badges et choisir qui les voit, ouvrez ce lien (valable { $minutes } minutes, une seule fois) :
email-signin-ignore = Si vous n'avez rien demandé, ignorez ce message : rien ne change sans ce lien.
email-admin-signin-subject = Votre lien vers la console d'insigne
email-admin-signin-intro = Pour ouvrir la console d'administration des badges, ouvrez ce lien (valable { $minutes } minutes, une seule fois) :

## « Mes badges »

mine-title = Mes badges
mine-intro = Recevez par courriel un lien pour voir tous vos badges, choisir qui les voit, télécharger vos données ou les faire effacer.
mine-email = Votre adresse électronique
mine-send = Recevoir le lien
mine-sent-title = Vérifiez votre messagerie
mine-sent = Si cette adresse a reçu des badges, un lien de connexion vient d'y être envoyé. Il est valable { $minutes } minutes et ne sert qu'une fois.
mine-limited-title = Trop de demandes
mine-limited = Trop de liens ont été demandés pour cette adresse ou depuis cet appareil. Réessayez dans un quart d'heure.
mine-confirm-title = Se connecter
mine-confirm = Ce lien ouvre « mes badges » sur cet appareil.
mine-confirm-button = Ouvrir mes badges
mine-expired-title = Lien plus valable
mine-expired = Ce lien a déjà servi ou a expiré. Demandez-en un nouveau.
mine-ask-again = Demander un nouveau lien
mine-signed-in = Connecté·e en tant que { $email }
mine-sign-out = Se déconnecter
mine-none = Vous n'avez aucun badge pour l'instant.
mine-visibility = Visibilité
mine-public = Public : sa page est visible par tous.
mine-private = Privé : sa page n'est visible par personne ; ses versions signées restent vérifiables par qui les détient.
mine-make-private = Rendre privé
mine-make-public = Rendre public
mine-page = Voir sa page
mine-data-title = Mes données
mine-export = Télécharger toutes mes données (JSON)
mine-erase-title = Effacer mes données
mine-erase-warning = L'effacement supprime votre adresse, votre nom et vos modules terminés, et révoque tous vos badges. C'est définitif.
mine-erase-confirm = Je demande l'effacement de mes données et la révocation de mes badges
mine-erase-button = Effacer mes données
mine-erased-title = Données effacées
mine-erased = Vos données personnelles ont été effacées et vos badges révoqués ({ $count }).
mine-erase-unconfirmed = Cochez la case pour confirmer l'effacement.

## The admin console
console-signin-title = Console d'administration
console-signin-intro = La console est réservée à l'équipe e-formation de la DANE et aux tuteurs. Recevez par courriel un lien de connexion.
console-email = Votre adresse électronique professionnelle
console-send = Recevoir le lien
console-sent-title = Vérifiez votre messagerie
console-sent = Si cette adresse a accès à la console, un lien de connexion vient d'y être envoyé. Il est valable { $minutes } minutes et ne sert qu'une fois.
console-limited-title = Trop de demandes
console-limited = Trop de liens ont été demandés pour cette adresse ou depuis cet appareil. Réessayez dans un quart d'heure.
console-confirm-title = Se connecter à la console
console-confirm = Ce lien ouvre la console d'administration sur cet appareil.
console-confirm-button = Ouvrir la console
console-expired-title = Lien plus valable
console-expired = Ce lien a déjà servi ou a expiré. Demandez-en un nouveau.
console-forbidden-title = Accès refusé
console-forbidden = Votre rôle ne donne pas accès à cet écran.
console-csrf-title = Formulaire refusé
console-csrf = Ce formulaire ne vient pas de votre session ; rien n'a été modifié. Rechargez la page et recommencez.
console-dashboard-title = Tableau de bord
console-signed-in = Connecté·e en tant que { $email }
console-sign-out = Se déconnecter
console-figures = En chiffres
console-awards-week = Badges délivrés cette semaine
console-awards-total = Badges délivrés en tout
console-trainers = Formateurs titulaires d'un badge
console-waiting = Apprenants en attente d'évaluation
console-notifications-failed = Notifications en échec
console-imports = Derniers imports
console-no-import = Aucun import pour l'instant.
console-last-import = Import { $source } du { $date } : { $completions } achèvements nouveaux, { $awards } badges délivrés.
console-sync = Synchronisation Moodle du { $date } : { $status }
console-journal-link = Journal des actions
console-issuers-title = Émetteurs
console-issuers-none = Aucun émetteur pour l'instant.
console-issuer-new = Nouvel émetteur
console-issuer-edit = Modifier l'émetteur « { $issuer } »
console-field-name = Nom
console-field-url = Site web
console-field-email = Adresse électronique
console-field-description = Description (facultative)
console-field-image = Image (PNG ou SVG, facultative)
console-image-help = Une image PNG ou SVG de 2 Mo au plus.
console-image-kept = Sans nouveau fichier, l'image actuelle est conservée.
console-actions = Actions
console-edit = Modifier
console-save = Enregistrer
console-form-errors = Le formulaire contient des erreurs
console-journal-title = Journal des actions
console-journal-actor = Qui
console-journal-action = Action
console-journal-filter = Filtrer
console-journal-csv = Télécharger le journal (CSV)
console-journal-empty = Aucune action enregistrée pour ces critères.
console-journal-caption = Les actions, les plus récentes d'abord
console-journal-at = Quand
console-journal-target = Sur
console-journal-detail = Résultat
# Awarded badges and notifications in the console
console-awards-title = Badges délivrés
console-award-new = Délivrer un badge
console-award-new-intro = Le badge est signé et délivré aussitôt ; son titulaire reçoit un courriel qui l'annonce.
console-award-choose-class = Choisissez un modèle de badge
console-award-issue = Délivrer le badge
console-award-error-class = Choisissez un modèle de badge existant.
console-award-error-email = Indiquez une adresse électronique valide.
console-award-error-name = Indiquez le nom du titulaire (200 caractères au plus).
console-field-badge-class = Modèle de badge
console-field-recipient = Titulaire
console-field-recipient-email = Adresse électronique du titulaire
console-field-recipient-name = Nom du titulaire
console-field-status = Statut
console-field-issued = Délivré le
console-field-expires = Expire le
console-field-revoked-at = Révoqué le
console-field-reason = Motif
console-field-kind = Message
console-field-created = Créé le
console-field-subject = Objet
console-field-attempts = Tentatives
console-field-last-error = Dernière erreur
console-search-title = Rechercher
console-search-email = Adresse du titulaire (ou une partie)
console-search-any-class = Tous les modèles
console-search-any-status = Tous les statuts
console-search-from = Délivré à partir du
console-search-to = Délivré jusqu'au
console-search-date-help = Au format AAAA-MM-JJ.
console-search-submit = Rechercher
console-search-errors = La recherche contient des erreurs
console-search-bad-class = Ce modèle de badge n'existe pas.
console-search-bad-status = Choisissez un statut de la liste.
console-search-bad-date = Indiquez une date au format AAAA-MM-JJ.
console-search-none = Aucun badge délivré ne correspond à ces critères.
console-search-caption = Badges délivrés, les plus récents d'abord
console-search-truncated = Seuls les { $count } badges les plus récents sont affichés : précisez la recherche pour trouver les autres.
console-award-active = Valide
console-award-expired = Expiré
console-award-revoked = Révoqué
console-award-title = { $badge } — { $name }
console-award-never-expires = Jamais
console-award-revoked-on = Ce badge a été révoqué le { $date }.
console-award-trace = Pourquoi ce badge a été délivré
console-award-no-trace = Délivré sans justification enregistrée.
console-award-evidence = Preuves
console-award-links = Page publique et téléchargements
console-link-page = Page publique du badge
console-link-ob2-assertion = Assertion Open Badges 2.0 (JSON-LD)
console-link-ob2-signed = Assertion Open Badges 2.0 signée (JWS)
console-link-ob3-credential = Attestation Open Badges 3.0, JSON signé
console-link-ob3-jwt = Attestation Open Badges 3.0, JWT
console-link-png = Image du badge, PNG
console-link-svg = Image du badge, SVG
console-award-notifications-caption = Les messages de ce badge, les plus anciens d'abord
console-revoke-link = Révoquer ce badge…
console-revoke-title = Révoquer un badge
console-revoke-back = Revenir au badge sans le révoquer
console-revoke-reason-help = Le motif est publié sur la page du badge et dans les listes de révocation ; le titulaire le reçoit par courriel.
console-revoke-continue = Continuer
console-revoke-confirm-title = Révoquer ce badge ?
console-revoke-warning = La révocation est définitive : le badge n'atteste plus rien, partout où il a été partagé.
console-revoke-confirm = Confirmer la révocation
console-cancel = Annuler
console-revoke-reason-invalid = Indiquez le motif de la révocation (1 000 caractères au plus).
console-revoke-already = Ce badge est déjà révoqué ; rien n'a été modifié.
console-notifications-title = Notifications
console-notifications-all = Toutes
console-notifications-empty = Aucune notification.
console-notifications-caption = Les notifications, les plus récentes d'abord
console-notifications-bad-status = Choisissez un statut de la liste.
console-kind-awarded = Badge délivré
console-kind-revoked = Badge révoqué
console-kind-signin = Lien de connexion
console-message-pending = En attente
console-message-sending = En cours d'envoi
console-message-sent = Envoyée
console-message-failed = En échec
console-message-logged = Journalisée (pas de serveur de messagerie)
console-resend = Renvoyer
console-resend-refused = Cette notification est déjà en attente ou en cours d'envoi ; rien n'a été modifié.
console-keys-title = Clés de signature
console-keys-intro = Chaque badge est signé au moment où il est délivré, avec les clés actives : une clé Ed25519 et une clé RSA. Cette page ne montre que ce qui est public ; les clés privées ne quittent jamais le dossier des clés du serveur.
console-keys-caption = Les clés du trousseau, les actives d'abord
console-keys-algorithm = Algorithme
console-keys-kid = Identifiant de la clé
console-keys-method = Où un vérificateur la trouve
console-keys-created = Créée le
console-keys-status = État
console-keys-signs = Ce qu'elle signe
console-keys-active = Active
console-keys-retired = Retirée : ne signe plus de nouveaux badges
console-keys-ed25519 = Ed25519 (EdDSA)
console-keys-rs256 = RSA (RS256)
console-keys-issuer-did = ⟨DID de l'émetteur⟩
console-keys-issuer-id = ⟨identifiant de l'émetteur⟩
console-keys-signs-ob3-di = Open Badges 3.0 : preuve Data Integrity (eddsa-rdfc-2022) des attestations
console-keys-signs-status = Open Badges 3.0 : listes de statut (révocations) des attestations qu'elle a signées
console-keys-signs-ob2 = Open Badges 2.0 : assertions signées (JWS RS256)
console-keys-signs-ob3-jwt = Open Badges 3.0 : attestations au format VC-JWT (RS256)
console-keys-retired-help = Une clé retirée reste publiée, pour que les badges qu'elle a signés restent vérifiables ; une clé Ed25519 retirée signe encore les listes de statut de ses attestations quand l'une d'elles est révoquée.
console-keys-published = Toutes les clés publiques, retirées comprises, sont publiées dans le document DID de chaque émetteur et dans le jeu de clés JWKS :
console-keys-rotate = Remplacer les clés actives
console-keys-rotate-title = Remplacer les clés actives
console-keys-rotate-what = Une nouvelle clé Ed25519 et une nouvelle clé RSA vont être créées et deviendront les clés actives : tous les badges délivrés à partir de maintenant seront signés avec elles.
console-keys-rotate-before = Les badges délivrés avant restent vérifiables : les clés actuelles sont retirées, pas supprimées, et restent publiées (JWKS, documents DID, clés Open Badges 2.0).
console-keys-rotate-replicas = Si plusieurs instances d'insigne partagent ce dossier de clés, redémarrez les autres ensuite pour qu'elles signent elles aussi avec les nouvelles clés.
console-keys-rotate-current = Clés actives aujourd'hui
console-keys-rotate-confirm = Oui, remplacer les clés actives
console-keys-rotate-failed = Les clés n'ont pas pu être remplacées ; rien n'a changé. Le journal du service en donne la raison (par exemple un dossier de clés en lecture seule).
console-keys-rotated = Les clés actives ont été remplacées. Les badges délivrés avant restent vérifiables avec les clés retirées.
console-tokens-title = Jetons d'API
console-tokens-intro = Un jeton d'API ouvre l'API JSON à un programme (un connecteur Moodle, un script). Seule son empreinte est conservée : il n'est affiché qu'une fois, à sa création.
console-tokens-none = Aucun jeton pour l'instant.
console-tokens-caption = Les jetons d'API, les plus récents d'abord
console-tokens-label = Libellé
console-tokens-scope = Portée
console-tokens-created = Créé le
console-tokens-state = État
console-tokens-id = Identifiant
console-tokens-live = Actif
console-tokens-revoked-on = Révoqué le
console-tokens-no-label = (sans libellé)
console-tokens-scope-admin = Administration : toute l'API d'administration
console-tokens-scope-ingest = Achèvements : déclarer les achèvements de modules, rien d'autre
console-tokens-revoke = Révoquer
console-tokens-new = Créer un jeton
console-tokens-label-field = Libellé (à quoi ou à qui sert ce jeton)
console-tokens-label-help = Par exemple « Connecteur m@gistère ». Le libellé n'est pas secret.
console-tokens-label-missing = Donnez un libellé au jeton : il dit plus tard à quoi il sert.
console-tokens-label-long = Le libellé a { $max } caractères au plus.
console-tokens-scope-missing = Choisissez la portée du jeton.
console-tokens-create = Créer le jeton
console-tokens-created-title = Jeton créé
console-tokens-copy-now = Copiez ce jeton maintenant : il ne sera plus jamais affiché, ni ici ni ailleurs.
console-tokens-created-for = Jeton « { $label } », portée { $scope }.
console-tokens-token = Le jeton
console-tokens-token-help = À envoyer dans l'en-tête Authorization: Bearer. Gardez-le comme un mot de passe.
console-tokens-back = Revenir aux jetons d'API
console-tokens-revoke-title = Révoquer un jeton d'API
console-tokens-revoke-what = Une fois révoqué, ce jeton n'ouvre plus l'API : les programmes qui s'en servent reçoivent une erreur 401. La révocation est définitive ; pour rétablir l'accès, créez un nouveau jeton.
console-tokens-revoke-confirm = Oui, révoquer ce jeton
console-tokens-already-revoked = Ce jeton est déjà révoqué.
console-tokens-revoked-notice = Le jeton a été révoqué : il n'ouvre plus l'API.

## The front door
home-title = Les badges de la formation des formateurs
home-intro = L'académie de Versailles reconnaît par des Open Badges ce que ses formateurs apprennent dans les parcours e-CAP sur m@gistère. Voici les badges qu'elle délivre, comment on les obtient et les compétences qu'ils attestent.
home-verify = Vérifier un badge
home-mine = Mes badges
home-issuers = Qui délivre ces badges
home-other-badges = Autres badges
home-no-badges = Aucun badge n'est encore défini.
home-earned-by = Comment l'obtenir :
home-attests = Compétences attestées :
mine-progress-title = En cours
mine-progress-done = Déjà fait :
mine-progress-remaining = Reste à faire :
mine-progress-needed = { $count ->
    [one] (encore un parmi ceux-ci)
   *[other] (encore { $count } parmi ceux-ci)
}

## Console : catalogue et imports
console-dry-run = Vérifier (simulation, rien n'est enregistré)
console-file-missing = Choisissez un fichier.
console-not-utf8 = Le fichier n'est pas un texte UTF-8.
console-upload-gone = Ce fichier a déjà été appliqué ou n'est plus disponible (un fichier attend sa confirmation 24 heures). Déposez-le à nouveau.
console-learner = Apprenant
console-badge = Badge
console-code = Code
console-entry = Élément
console-change = Changement
console-change-new = Nouveau
console-change-changed = Modifié
console-entry-issuer = Émetteur
console-entry-framework = Référentiel
console-entry-competency = Compétence
console-entry-parcours = Parcours
console-entry-module = Module
console-entry-badge = Badge
console-catalogue-title = Catalogue e-CAP
console-catalogue-empty = Aucun catalogue n'est chargé pour l'instant.
console-catalogue-summary = Le catalogue compte { $parcours } parcours, { $modules } modules et { $badges } badges attribués par une règle.
console-catalogue-download = Télécharger le catalogue actuel (TOML)
console-catalogue-upload = Charger un catalogue
console-catalogue-file = Fichier du catalogue (TOML)
console-catalogue-help = Le fichier décrit dans le README ; les images y sont des URI data. Le chargement ajoute et met à jour, il ne supprime rien.
console-catalogue-refused = Le catalogue est refusé
console-catalogue-dry-run = Simulation du chargement de « { $file } »
console-catalogue-no-change = Ce fichier ne change rien au catalogue.
console-catalogue-changes = Ce que le chargement changerait
console-catalogue-unchanged = { $count ->
    [0] Aucun élément inchangé.
    [one] Un élément resterait inchangé.
   *[other] { $count } éléments resteraient inchangés.
}
console-catalogue-newly = Badges qui seraient nouvellement obtenus
console-catalogue-newly-none = Aucun apprenant n'obtiendrait de nouveau badge.
console-catalogue-learners = { $count ->
    [0] Aucun apprenant n'a d'achèvement enregistré.
    [one] Un apprenant a des achèvements : il a été évalué selon le catalogue chargé.
   *[other] { $count } apprenants ont des achèvements : tous ont été évalués selon le catalogue chargé.
}
console-catalogue-apply = Appliquer ce catalogue
console-catalogue-loaded = Le catalogue « { $file } » est chargé : { $badges } badges, { $learners } apprenants à réévaluer (les badges obtenus sont délivrés dans la minute).
console-imports-title = Imports Moodle
console-import-upload = Importer un export Moodle
console-import-file = Export CSV d'achèvement (rapport « Achèvement des activités » ou « Achèvement de cours »)
console-import-help = Le fichier tel que Moodle le télécharge (CSV, UTF-8 ou Excel). Rien n'est enregistré avant votre confirmation.
console-import-refused = Le fichier est refusé
console-import-history = Imports précédents
console-import-started = Commencé le
console-import-file-col = Fichier
console-import-by = Par
console-import-by-unknown = (inconnu)
console-import-status = État
console-import-result = Résultat
console-import-counts = { $rows } lignes, { $rejected } rejetées, { $completions } achèvements nouveaux, { $awards } badges délivrés
console-import-running = en cours
console-import-done = terminé
console-import-failed = en échec
console-import-preview-title = Simulation de l'import
console-import-preview-intro = Voici ce que donnerait l'import du fichier
console-import-confirm = Confirmer l'import
console-import-rows-read = Lignes lues
console-import-rows-accepted = Lignes acceptées
console-import-rows-rejected = Lignes rejetées
console-import-new = Achèvements nouveaux
console-import-known = Achèvements déjà connus
console-import-awarded = Badges délivrés
console-import-would-award = Badges qui seraient délivrés
console-import-ignored = Colonnes ignorées (aucun module du catalogue ne porte ce nom)
console-import-rejected = Lignes rejetées
console-import-line = Ligne
console-import-reason = Motif
console-import-awards = Badges délivrés par l'import
console-import-no-award = Aucun badge ne serait délivré par cet import.
console-import-pending = Apprenants encore en cours d'évaluation (un traitement en arrière-plan délivrera leurs badges) :
console-import-title = Import « { $file } » du { $date }
console-import-recording = Enregistrement des achèvements
console-import-evaluating = Évaluation des règles d'attribution
console-import-refresh = Actualiser la page
console-import-no-summary = Aucun bilan n'a été conservé pour cet import.
console-layout-activity = Rapport « Achèvement des activités » de Moodle
console-layout-course = Rapport « Achèvement de cours » de Moodle
console-layout-mapped = Fichier aux colonnes configurées ([moodle] de la configuration)

## Console : badges
console-badges-title = Badges
console-badges-none = Aucun badge pour l'instant.
console-badge-new = Nouveau badge
console-badge-edit = Modifier le badge « { $badge } »
console-badge-issuer = Émetteur
console-badge-identity = Le badge
console-badge-description = Description
console-badge-image = Image (PNG ou SVG)
console-badge-tags = Mots-clés (facultatifs)
console-badge-tags-help = Séparés par des virgules.
console-badge-criteria = Critères d'obtention
console-badge-criteria-narrative = Ce qu'il faut avoir fait pour l'obtenir
console-badge-criteria-url = Page décrivant les critères (facultative)
console-badge-validity = Validité
console-badge-validity-days = Durée de validité en jours (facultative)
console-badge-validity-help = Sans durée, le badge n'expire pas.
console-validity-none = Sans limite
console-validity-days = { $count ->
    [one] Un jour
   *[other] { $count } jours
}
console-badge-alignments = Compétences attestées
console-badge-no-competency = Aucun référentiel n'est chargé : chargez le catalogue pour aligner le badge sur des compétences.
console-badge-rule = Règle d'attribution
console-badge-rule-help = Avec une règle, le badge est délivré automatiquement dès que les achèvements d'un apprenant la satisfont ; sans règle, il est délivré à la main.
console-badge-code = Code du badge dans le catalogue
console-badge-code-help = Obligatoire avec une règle ; sans espaces (par exemple e-cap1).
console-badge-rule-kind = Le badge est obtenu
console-rule-none = À la main seulement (sans règle)
console-rule-parcours = En terminant tous les modules d'un parcours
console-rule-all_modules = En terminant tous les modules choisis
console-rule-at_least = En terminant un nombre minimal des modules choisis
console-rule-all_competencies = En développant toutes les compétences choisies
console-rule-all_badges = En obtenant tous les badges choisis
console-rule-parcours-choice = Parcours
console-rule-modules-choice = Modules
console-rule-count = Nombre minimal de modules
console-rule-competencies-choice = Compétences de la règle
console-rule-badges-choice = Badges requis
console-rule-all-modules-text = Tous les modules : { $list }
console-rule-at-least-text = Au moins { $count } parmi : { $list }
console-rule-all-competencies-text = Toutes les compétences : { $list }
console-rule-all-badges-text = Tous les badges : { $list }
console-preview = Prévisualiser
console-preview-title = Aperçu du badge tel que les formateurs le verront

## Console : référentiels, parcours et modules
console-entry-details = Détails
console-entry-no-choice = Rien à choisir pour l'instant.
console-entry-code-help = Sans espaces ; il identifie l'élément dans le catalogue et les imports, et ne change plus ensuite.
console-entry-code-kept = Le code identifie l'élément : il ne change pas.
console-entry-title = Intitulé
console-entry-url = Adresse de référence (facultative)
console-entry-hours = Durée en heures
console-entry-modality = Modalité
console-entry-lms-ids = Noms de l'activité dans les exports Moodle
console-entry-lms-ids-help = Un par ligne : le nom de l'activité tel que Moodle l'écrit en tête de colonne, ou son numéro d'identification.
console-entry-cmid = Identifiant de l'activité Moodle (cmid, facultatif)
console-entry-cmid-help = Pour la synchronisation par les services web de Moodle.
console-entry-competencies = Compétences développées
console-entry-course = Identifiant du cours Moodle (facultatif)
console-entry-course-help = Le cours m@gistère qui porte le parcours, pour la synchronisation.
console-modality-presentiel = En présentiel
console-modality-classe_virtuelle = En classe virtuelle
console-modality-distance = À distance
console-module-details = { $hours } h, { $modality }
console-frameworks-title = Référentiels de compétences
console-frameworks-intro = Les compétences que les badges attestent et que les modules développent.
console-frameworks-none = Aucun référentiel pour l'instant.
console-framework-new = Nouveau référentiel
console-framework-edit = Modifier le référentiel { $code }
console-competency-new = Nouvelle compétence
console-competency-edit = Modifier la compétence { $code }
console-competencies = Compétences
console-competencies-none = Aucune compétence dans ce référentiel.
console-parcours-title = Parcours et modules
console-parcours-intro = Les parcours e-CAP et leurs modules, tels que les imports Moodle les reconnaissent.
console-parcours-none = Aucun parcours pour l'instant.
console-parcours-new = Nouveau parcours
console-parcours-edit = Modifier le parcours { $code }
console-module-new = Nouveau module
console-module-edit = Modifier le module { $code }
console-modules = Modules
console-modules-none = Aucun module dans ce parcours.

## Console : lignes refusées d'un import
console-reject-unreadable = ligne illisible en CSV ({ $error })
console-reject-columns = { $found } colonnes alors que l'en-tête en compte { $expected } (mauvais séparateur ou ligne tronquée ?)
console-reject-no-email = aucune adresse électronique
console-reject-bad-email = adresse électronique refusée ({ $problem })
console-reject-status = activité « { $activity } » : état « { $status } » inconnu (ce n'est pas un libellé d'achèvement de Moodle ; ajoutez-le à [moodle] completed, not_completed ou failed si votre plateforme le formule ainsi)
console-reject-no-date = activité « { $activity } » : terminée sans date d'achèvement (dans le rapport d'achèvement de cours, Moodle la date après le passage de sa tâche planifiée : téléchargez le rapport plus tard)
console-reject-bad-date = activité « { $activity } » : la date d'achèvement « { $date } » n'est pas une date lisible
console-reject-future = activité « { $activity } » : la date d'achèvement est dans le futur

# Ajouter un badge à un portefeuille (VC-API, OpenID4VCI)
wallet-add = Ajouter à mon portefeuille
wallet-title = Ajouter à mon portefeuille
wallet-valid-for = { $minutes ->
    [one] Ces codes sont valables une minute et ne servent qu'une fois.
   *[other] Ces codes sont valables { $minutes } minutes et ne servent qu'une fois.
}
wallet-lcw-title = Learner Credential Wallet
wallet-lcw-text = Scannez ce code QR avec l'application Learner Credential Wallet. Sur le téléphone où elle est installée, utilisez plutôt le bouton.
wallet-lcw-qr-alt = Code QR à scanner avec Learner Credential Wallet
wallet-lcw-open = Ouvrir dans Learner Credential Wallet
wallet-oid4vci-title = Autres portefeuilles (OpenID4VCI)
wallet-oid4vci-text = Pour les portefeuilles qui reçoivent des attestations par OpenID for Verifiable Credential Issuance (LearnCard, walt.id, Sphereon, portefeuilles européens) : scannez ce code QR, ou utilisez le bouton sur le téléphone où le portefeuille est installé.
wallet-oid4vci-qr-alt = Code QR de l'offre de badge pour un portefeuille OpenID4VCI
wallet-oid4vci-open = Ouvrir dans mon portefeuille
wallet-keep-secret = Ne partagez pas ces codes : le premier portefeuille qui s'en sert reçoit le badge.
wallet-refresh = Actualiser la page pour voir si le badge a été reçu
wallet-delivered = Ce badge a été remis à un portefeuille le { $date } (identifiant du portefeuille : { $holder }).
wallet-expired = Ces codes ont expiré sans avoir servi.
wallet-retry = Obtenir de nouveaux codes
wallet-back = Retour à mes badges
wallet-interaction-title = Un badge pour votre portefeuille
wallet-interaction-text = Ce lien est destiné à un portefeuille numérique : scannez le code QR de la page « Ajouter à mon portefeuille » avec votre portefeuille.
wallet-interaction-closed = Ce lien a déjà servi ou a expiré. Demandez-en un nouveau depuis « Mes badges ».
wallet-link-summary = Le lien de l’échange, à coller dans un portefeuille
wallet-not-deliverable = Ce badge a été révoqué ou a expiré : il ne peut plus être ajouté à un portefeuille.
wallet-too-many = Vous avez demandé beaucoup de codes en peu de temps. Réessayez dans un quart d'heure.
