# insigne — the words of the public pages, in English.
# Every key also exists in ../fr/insigne.ftl (a test checks it).

language-name = English
other-language-name = Français
skip-link = Skip to content
site-name = insigne
skip-links = Quick access
home-link = home
site-tagline = Digital badges for teacher trainers, académie de Versailles
site-footer = insigne issues and verifies the Open Badges of the académie de Versailles' trainer education (DANE).
footer-verify = Verify a badge
footer-accessibility = Accessibility: not compliant
footer-navigation = Site links

## Dates: "28 November 2026"

date = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## An awarded badge's page

badge-title = { $badge } — { $earner }
badge-image-alt = Image of the badge “{ $badge }”
badge-facts = About this badge
badge-awarded-to = Awarded to
badge-issued-by = Issued by
badge-issued-on = Issued on
badge-expires-on = Expires on
badge-no-expiry = Never: this badge does not expire
badge-status = Status
status-valid = Valid: genuine, current and not revoked.
status-expired = Expired on { $date }.
status-revoked = Revoked on { $date }. Reason: { $reason }
revoked-banner = This badge was revoked by its issuer on { $date }. It no longer attests anything. Reason: { $reason }
section-description = Description
section-criteria = Criteria
criteria-more = See the detailed criteria
criteria-class = See this badge's page
section-competencies = Competencies attested
competency-framework = Framework: { $framework }
section-evidence = Evidence
section-narrative = Why this badge was awarded
section-share = Share
share-link-label = This badge's address
share-copy = Copy the link
share-copied = Link copied to the clipboard.
share-linkedin = Add to my LinkedIn profile
share-linkedin-note = opens LinkedIn in a new tab
share-print = Print
qr-caption = Scan this code to see this badge's current status.
qr-alt = QR code leading to { $url }
print-note = This badge's current status (valid, expired or revoked) is at: { $url }
section-download = Download
download-png = Badge image, PNG (signed badge baked in)
download-svg = Badge image, SVG (signed badge baked in)
download-ob3-json = Open Badges 3.0 credential, signed JSON
download-ob3-jwt = Open Badges 3.0 credential, JWT
section-machine = For verification software
machine-ob2 = Open Badges 2.0 assertion (JSON-LD)
machine-ob2-signed = Open Badges 2.0 signed assertion (JWS)
verify-link = Verify a badge you received
verify-with-verifierplus = Verify with VerifierPlus (an independent verifier)
og-description = Badge “{ $badge }” awarded to { $earner } by { $issuer }.

## Page not found

not-found-title = Page not found
not-found-text = No badge, badge class or issuer is at this address. Check the address you were given; if you have the badge itself (an image, a file), the verifier reads it.

## A badge class's page

class-title = { $badge } — { $issuer }
class-issued-by = Issued by
class-validity = Validity
class-validity-days = { $days ->
    [one] { $days } day
   *[other] { $days } days
}
class-no-validity = No time limit
class-tags = Tags
machine-class = Open Badges 2.0 badge class (JSON-LD)

## An issuer's page

issuer-image-alt = Logo of { $issuer }
issuer-website = Website
issuer-contact = Contact
issuer-badges = Badges this issuer awards
issuer-no-badges = This issuer awards no badge yet.
machine-issuer = Open Badges 2.0 profile (JSON-LD)
machine-did = DID document (Open Badges 3.0)

## Accessibility statement

a11y-title = Accessibility statement
a11y-intro = The publisher of this service is committed to making its public pages accessible, as required by article 47 of French law no. 2005-102 of 11 February 2005. This statement covers insigne's public pages: the pages of badges, badge classes and issuers, and the verification page.
a11y-status-title = Compliance status
a11y-status = These pages are not compliant with the French accessibility framework (RGAA) version 4.1: no full audit has been carried out yet. They aim at WCAG 2.1 level AA.
a11y-tests-title = What is checked
a11y-tests-1 = On every release, an automated test opens a badge page in a browser and looks for accessibility defects with axe-core; no serious or critical defect is accepted.
a11y-tests-2 = Every page declares its language, and the language of passages in another language; it has a single level-one heading and headings in order.
a11y-tests-3 = Everything reads without JavaScript and works with the keyboard alone, with a visible focus; a badge's status is written in words, never shown by colour alone.
a11y-tests-4 = Text has a contrast ratio of at least 4.5:1; every image has a text alternative.
a11y-limits-title = Content that is not accessible
a11y-limits = A badge's image is provided by its issuer: its text alternative gives the badge's name, not the details of its drawing. The downloadable files (PNG, SVG, JSON, JWT) are meant for verification software.
a11y-contact-title = Feedback and contact
a11y-contact = If you cannot reach some content or service, contact the badge's issuer (their address is on their page) to be offered an accessible alternative or the content in another form.
a11y-remedy-title = Remedies
a11y-remedy = If you report an accessibility defect and get no satisfactory answer, you may write to the Défenseur des droits (online form, or free post: Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07) or contact its delegate in your region.

## Verification page

verify-title = Verify a badge
verify-intro = Paste a badge's URL, a signed badge (JWS or JWT) or its JSON, or choose the badge image (PNG or SVG).
verify-paste = The badge's URL, JWS, JWT or JSON
verify-file = Or the badge image (PNG or SVG)
verify-recipient = The holder's email address (optional)
verify-submit = Verify
verify-result = Result
verdict-valid = Genuine badge, current and not revoked.
verdict-valid-warnings = Genuine badge, current and not revoked, with reservations: read the warnings.
verdict-invalid = Invalid badge: see the failed checks.
verdict-unknown = Incomplete verification: some checks could not be made.
verdict-not-a-badge = This is not a badge: no Open Badge was found in what was given.
verdict-busy = The verifier is busy: try again in a moment.
verdict-intact-only = The content is intact, but nothing shows that the issuer it names made it.
check-line = { $label }: { $status }.
check-passed = Passed
check-failed = Failed
check-warning = Warning
check-skipped = Not checked
check-input = Input
check-unbake = Badge baked in the image
check-format = Badge format
check-fetch = Fetching the badge
check-structure = Required fields
check-badge-class = Badge class
check-issuer = Issuer profile
check-contexts = Vocabulary (JSON-LD contexts)
check-json-schema = JSON Schema
check-signature = Signature
check-jwt-alg = Signature algorithm
check-jwt-claims = Signed token claims
check-key-owner = Issuer's key
check-verification-policy = Issuer's verification policy
check-hosted = Badge hosted by the issuer
check-issued-on = Issue date
check-expiry = Expiry
check-revocation = Revocation
check-recipient = Holder
check-endorsement = Endorsement
check-limits = Size of the badge
check-deadline = Time allowed
check-other = Other check

## Messages to badge holders (email, plain text)

email-awarded-subject = Your badge “{ $badge }”
email-revoked-subject = Badge “{ $badge }” revoked
email-greeting = Hello { $name },
email-awarded-intro = { $issuer } awarded you the badge “{ $badge }”.
email-competencies = This badge attests the following competencies:
email-competency-line = - { $code } { $name } (framework: { $framework })
email-page = Your badge, to share and to have verified: { $url }
email-linkedin = To add it to your LinkedIn profile, open this link while signed in to LinkedIn: { $url }
email-mine = All your badges, and who may see them: { $url }
email-revoked-intro = { $issuer } revoked the badge “{ $badge }” awarded to you on { $date }.
email-revoked-reason = Reason: { $reason }
email-revoked-page = Its page now says it is revoked: { $url }
email-signature = insigne, for { $issuer }
email-why = You receive this message because a badge was awarded to you on insigne.
email-signin-subject = Your link to “my badges”
email-signin-greeting = Hello,
email-signin-intro = To see your badges and choose who sees them, open this link (valid for { $minutes } minutes, once):
email-signin-ignore = If you did not ask for it, ignore this message: nothing changes without this link.
email-admin-signin-subject = Your link to the insigne console
email-admin-signin-intro = To open the badge administration console, open this link (valid for { $minutes } minutes, once):

## "My badges"

mine-title = My badges
mine-intro = Get a link by email to see all your badges, choose who sees them, download your data or have it erased.
mine-email = Your email address
mine-send = Send me the link
mine-sent-title = Check your mailbox
mine-sent = If badges were awarded to this address, a sign-in link has just been sent to it. It is valid for { $minutes } minutes and works once.
mine-limited-title = Too many requests
mine-limited = Too many links were asked for this address or from this device. Try again in a quarter of an hour.
mine-confirm-title = Sign in
mine-confirm = This link opens “my badges” on this device.
mine-confirm-button = Open my badges
mine-expired-title = Link no longer valid
mine-expired = This link was already used or has expired. Ask for a new one.
mine-ask-again = Ask for a new link
mine-signed-in = Signed in as { $email }
mine-sign-out = Sign out
mine-none = You have no badge yet.
mine-visibility = Visibility
mine-public = Public: anyone can see its page.
mine-private = Private: nobody can see its page; its signed forms stay verifiable by whoever holds them.
mine-make-private = Make private
mine-make-public = Make public
mine-page = See its page
mine-data-title = My data
mine-export = Download all my data (JSON)
mine-erase-title = Erase my data
mine-erase-warning = Erasure deletes your address, your name and your completed modules, and revokes all your badges. It cannot be undone.
mine-erase-confirm = I ask for my data to be erased and my badges revoked
mine-erase-button = Erase my data
mine-erased-title = Data erased
mine-erased = Your personal data was erased and your badges revoked ({ $count }).
mine-erase-unconfirmed = Tick the box to confirm the erasure.

## The admin console
console-signin-title = Administration console
console-signin-intro = The console is for the DANE's e-formation team and the tutors. Receive a sign-in link by email.
console-email = Your work email address
console-send = Receive the link
console-sent-title = Check your inbox
console-sent = If this address has access to the console, a sign-in link has just been sent to it. It is valid for { $minutes } minutes and works once.
console-limited-title = Too many requests
console-limited = Too many links were asked for this address or from this device. Try again in a quarter of an hour.
console-confirm-title = Sign in to the console
console-confirm = This link opens the administration console on this device.
console-confirm-button = Open the console
console-expired-title = Link no longer valid
console-expired = This link was already used or has expired. Ask for a new one.
console-forbidden-title = Access denied
console-forbidden = Your role does not give access to this screen.
console-csrf-title = Form refused
console-csrf = This form does not come from your session; nothing was changed. Reload the page and try again.
console-dashboard-title = Dashboard
console-signed-in = Signed in as { $email }
console-sign-out = Sign out
console-figures = In figures
console-awards-week = Badges issued this week
console-awards-total = Badges issued in all
console-trainers = Trainers holding a badge
console-waiting = Learners waiting for evaluation
console-notifications-failed = Failed notifications
console-imports = Latest imports
console-no-import = No import yet.
console-last-import = { $source } import of { $date }: { $completions } new completions, { $awards } badges issued.
console-sync = Moodle sync of { $date }: { $status }
console-journal-link = Audit log
console-issuers-title = Issuers
console-issuers-none = No issuer yet.
console-issuer-new = New issuer
console-issuer-edit = Edit the issuer “{ $issuer }”
console-field-name = Name
console-field-url = Web site
console-field-email = Email address
console-field-description = Description (optional)
console-field-image = Image (PNG or SVG, optional)
console-image-help = A PNG or SVG image of 2 MB at most.
console-image-kept = Without a new file, the current image is kept.
console-actions = Actions
console-edit = Edit
console-save = Save
console-form-errors = The form has errors
console-journal-title = Audit log
console-journal-actor = Who
console-journal-action = Action
console-journal-filter = Filter
console-journal-csv = Download the log (CSV)
console-journal-empty = No action recorded for these filters.
console-journal-caption = The actions, latest first
console-journal-at = When
console-journal-target = On
console-journal-detail = Outcome
# Awarded badges and notifications in the console
console-awards-title = Issued badges
console-award-new = Issue a badge
console-award-new-intro = The badge is signed and issued at once; its holder receives an email announcing it.
console-award-choose-class = Choose a badge class
console-award-issue = Issue the badge
console-award-error-class = Choose an existing badge class.
console-award-error-email = Give a valid email address.
console-award-error-name = Give the holder's name (200 characters at most).
console-field-badge-class = Badge class
console-field-recipient = Holder
console-field-recipient-email = Holder's email address
console-field-recipient-name = Holder's name
console-field-status = Status
console-field-issued = Issued on
console-field-expires = Expires on
console-field-revoked-at = Revoked on
console-field-reason = Reason
console-field-kind = Message
console-field-created = Created
console-field-subject = Subject
console-field-attempts = Attempts
console-field-last-error = Last error
console-search-title = Search
console-search-email = Holder's address (or part of it)
console-search-any-class = All badge classes
console-search-any-status = All statuses
console-search-from = Issued from
console-search-to = Issued until
console-search-date-help = As YYYY-MM-DD.
console-search-submit = Search
console-search-errors = The search has errors
console-search-bad-class = This badge class does not exist.
console-search-bad-status = Choose a status from the list.
console-search-bad-date = Give a date as YYYY-MM-DD.
console-search-none = No issued badge matches these criteria.
console-search-caption = Issued badges, latest first
console-search-truncated = Only the { $count } latest badges are shown: narrow the search to find the others.
console-award-active = Valid
console-award-expired = Expired
console-award-revoked = Revoked
console-award-title = { $badge } — { $name }
console-award-never-expires = Never
console-award-revoked-on = This badge was revoked on { $date }.
console-award-trace = Why this badge was issued
console-award-no-trace = Issued without a recorded justification.
console-award-evidence = Evidence
console-award-links = Public page and downloads
console-link-page = The badge's public page
console-link-ob2-assertion = Open Badges 2.0 assertion (JSON-LD)
console-link-ob2-signed = Signed Open Badges 2.0 assertion (JWS)
console-link-ob3-credential = Open Badges 3.0 credential, signed JSON
console-link-ob3-jwt = Open Badges 3.0 credential, JWT
console-link-png = Badge image, PNG
console-link-svg = Badge image, SVG
console-award-notifications-caption = This badge's messages, oldest first
console-revoke-link = Revoke this badge…
console-revoke-title = Revoke a badge
console-revoke-back = Back to the badge without revoking it
console-revoke-reason-help = The reason is published on the badge's page and in the revocation lists; the holder receives it by email.
console-revoke-continue = Continue
console-revoke-confirm-title = Revoke this badge?
console-revoke-warning = Revocation is final: the badge no longer attests anything, wherever it was shared.
console-revoke-confirm = Confirm the revocation
console-cancel = Cancel
console-revoke-reason-invalid = Give the reason for the revocation (1,000 characters at most).
console-revoke-already = This badge is already revoked; nothing was changed.
console-notifications-title = Notifications
console-notifications-all = All
console-notifications-empty = No notification.
console-notifications-caption = The notifications, latest first
console-notifications-bad-status = Choose a status from the list.
console-kind-awarded = Badge issued
console-kind-revoked = Badge revoked
console-kind-signin = Sign-in link
console-message-pending = Waiting
console-message-sending = Being sent
console-message-sent = Sent
console-message-failed = Failed
console-message-logged = Logged (no mail server)
console-resend = Resend
console-resend-refused = This notification is already waiting or being sent; nothing was changed.
console-keys-title = Signing keys
console-keys-intro = Every badge is signed when it is issued, with the active keys: one Ed25519 key and one RSA key. This page shows only what is public; the private keys never leave the server's keys folder.
console-keys-caption = The keys of the key ring, active ones first
console-keys-algorithm = Algorithm
console-keys-kid = Key id
console-keys-method = Where a verifier finds it
console-keys-created = Created
console-keys-status = Status
console-keys-signs = What it signs
console-keys-active = Active
console-keys-retired = Retired: signs no new badges
console-keys-ed25519 = Ed25519 (EdDSA)
console-keys-rs256 = RSA (RS256)
console-keys-issuer-did = ⟨issuer DID⟩
console-keys-issuer-id = ⟨issuer id⟩
console-keys-signs-ob3-di = Open Badges 3.0: Data Integrity proof (eddsa-rdfc-2022) of credentials
console-keys-signs-status = Open Badges 3.0: status lists (revocations) of the credentials it signed
console-keys-signs-ob2 = Open Badges 2.0: signed assertions (RS256 JWS)
console-keys-signs-ob3-jwt = Open Badges 3.0: credentials as VC-JWT (RS256)
console-keys-retired-help = A retired key stays published, so that the badges it signed keep verifying; a retired Ed25519 key still signs the status lists of its credentials when one of them is revoked.
console-keys-published = Every public key, retired ones included, is published in each issuer's DID document and in the JWK Set:
console-keys-rotate = Replace the active keys
console-keys-rotate-title = Replace the active keys
console-keys-rotate-what = A new Ed25519 key and a new RSA key will be made and become the active keys: every badge issued from now on will be signed with them.
console-keys-rotate-before = Badges issued before stay verifiable: the current keys are retired, not deleted, and stay published (JWKS, DID documents, Open Badges 2.0 keys).
console-keys-rotate-replicas = If several insigne instances share this keys folder, restart the others afterwards so that they sign with the new keys too.
console-keys-rotate-current = Active keys today
console-keys-rotate-confirm = Yes, replace the active keys
console-keys-rotate-failed = The keys could not be replaced; nothing changed. The service's log says why (a read-only keys folder, for instance).
console-keys-rotated = The active keys were replaced. Badges issued before stay verifiable with the retired keys.
console-tokens-title = API tokens
console-tokens-intro = An API token opens the JSON API to a program (a Moodle connector, a script). Only its fingerprint is kept: it is shown once, when it is created.
console-tokens-none = No token yet.
console-tokens-caption = The API tokens, newest first
console-tokens-label = Label
console-tokens-scope = Scope
console-tokens-created = Created
console-tokens-state = Status
console-tokens-id = Id
console-tokens-live = Live
console-tokens-revoked-on = Revoked on
console-tokens-no-label = (no label)
console-tokens-scope-admin = Administration: the whole admin API
console-tokens-scope-ingest = Completions: reporting module completions, nothing else
console-tokens-revoke = Revoke
console-tokens-new = Create a token
console-tokens-label-field = Label (what or whom the token is for)
console-tokens-label-help = For instance “m@gistère connector”. The label is not secret.
console-tokens-label-missing = Give the token a label: later, it says what the token is for.
console-tokens-label-long = The label has { $max } characters at most.
console-tokens-scope-missing = Choose the token's scope.
console-tokens-create = Create the token
console-tokens-created-title = Token created
console-tokens-copy-now = Copy this token now: it will never be shown again, here or anywhere.
console-tokens-created-for = Token “{ $label }”, scope { $scope }.
console-tokens-token = The token
console-tokens-token-help = To send in the Authorization: Bearer header. Keep it like a password.
console-tokens-back = Back to the API tokens
console-tokens-revoke-title = Revoke an API token
console-tokens-revoke-what = Once revoked, this token no longer opens the API: programs using it get a 401 error. Revocation is final; to give access again, create a new token.
console-tokens-revoke-confirm = Yes, revoke this token
console-tokens-already-revoked = This token is revoked already.
console-tokens-revoked-notice = The token was revoked: it no longer opens the API.

## The front door
home-title = Badges for trainers of trainers
home-intro = The académie de Versailles recognises with Open Badges what its trainers learn in the e-CAP parcours on m@gistère. Here are the badges it issues, how they are earned and the competencies they attest.
home-verify = Verify a badge
home-mine = My badges
home-issuers = Who issues these badges
home-other-badges = Other badges
home-no-badges = No badge is defined yet.
home-earned-by = How to earn it:
home-attests = Competencies attested:
mine-progress-title = In progress
mine-progress-done = Done:
mine-progress-remaining = Still to do:
mine-progress-needed = { $count ->
    [one] (one more of these)
   *[other] ({ $count } more of these)
}

## Console: catalogue and imports
console-dry-run = Check (dry run, nothing is saved)
console-file-missing = Choose a file.
console-not-utf8 = The file is not UTF-8 text.
console-upload-gone = This file was already applied or is no longer available (a file waits 24 hours for its confirmation). Upload it again.
console-learner = Learner
console-badge = Badge
console-code = Code
console-entry = Entry
console-change = Change
console-change-new = New
console-change-changed = Changed
console-entry-issuer = Issuer
console-entry-framework = Framework
console-entry-competency = Competency
console-entry-parcours = Parcours
console-entry-module = Module
console-entry-badge = Badge
console-catalogue-title = e-CAP catalogue
console-catalogue-empty = No catalogue is loaded yet.
console-catalogue-summary = The catalogue has { $parcours } parcours, { $modules } modules and { $badges } badges awarded by a rule.
console-catalogue-download = Download the current catalogue (TOML)
console-catalogue-upload = Load a catalogue
console-catalogue-file = Catalogue file (TOML)
console-catalogue-help = The file described in the README; images in it are data URIs. A load adds and updates, it never removes.
console-catalogue-refused = The catalogue is refused
console-catalogue-dry-run = Dry run of loading “{ $file }”
console-catalogue-no-change = This file changes nothing in the catalogue.
console-catalogue-changes = What the load would change
console-catalogue-unchanged = { $count ->
    [0] No entry unchanged.
    [one] One entry would stay unchanged.
   *[other] { $count } entries would stay unchanged.
}
console-catalogue-newly = Badges that would be newly earned
console-catalogue-newly-none = No learner would earn a new badge.
console-catalogue-learners = { $count ->
    [0] No learner has completions recorded.
    [one] One learner has completions: evaluated against the catalogue as loaded.
   *[other] { $count } learners have completions: all evaluated against the catalogue as loaded.
}
console-catalogue-apply = Apply this catalogue
console-catalogue-loaded = The catalogue “{ $file }” is loaded: { $badges } badges, { $learners } learners to evaluate again (the badges earned are issued within a minute).
console-imports-title = Moodle imports
console-import-upload = Import a Moodle export
console-import-file = Completion CSV export (“Activity completion” or “Course completion” report)
console-import-help = The file as Moodle downloads it (CSV, UTF-8 or Excel). Nothing is saved before you confirm.
console-import-refused = The file is refused
console-import-history = Past imports
console-import-started = Started
console-import-file-col = File
console-import-by = By
console-import-by-unknown = (unknown)
console-import-status = Status
console-import-result = Result
console-import-counts = { $rows } rows, { $rejected } rejected, { $completions } new completions, { $awards } badges issued
console-import-running = running
console-import-done = done
console-import-failed = failed
console-import-preview-title = Import dry run
console-import-preview-intro = This is what importing this file would do:
console-import-confirm = Confirm the import
console-import-rows-read = Rows read
console-import-rows-accepted = Rows accepted
console-import-rows-rejected = Rows rejected
console-import-new = New completions
console-import-known = Completions already known
console-import-awarded = Badges issued
console-import-would-award = Badges that would be issued
console-import-ignored = Ignored columns (no module of the catalogue has this name)
console-import-rejected = Rejected rows
console-import-line = Line
console-import-reason = Reason
console-import-awards = Badges issued by the import
console-import-no-award = This import would issue no badge.
console-import-pending = Learners still being evaluated (a background worker will issue their badges):
console-import-title = Import “{ $file }” of { $date }
console-import-recording = Recording the completions
console-import-evaluating = Evaluating the award rules
console-import-refresh = Refresh the page
console-import-no-summary = No summary was kept for this import.
console-layout-activity = Moodle's “Activity completion” report
console-layout-course = Moodle's “Course completion” report
console-layout-mapped = File with configured columns ([moodle] in the configuration)

## Console: badges
console-badges-title = Badges
console-badges-none = No badge yet.
console-badge-new = New badge
console-badge-edit = Edit the badge “{ $badge }”
console-badge-issuer = Issuer
console-badge-identity = The badge
console-badge-description = Description
console-badge-image = Image (PNG or SVG)
console-badge-tags = Tags (optional)
console-badge-tags-help = Separated by commas.
console-badge-criteria = Criteria
console-badge-criteria-narrative = What one must have done to earn it
console-badge-criteria-url = Page describing the criteria (optional)
console-badge-validity = Validity
console-badge-validity-days = Validity in days (optional)
console-badge-validity-help = Without one, the badge does not expire.
console-validity-none = No limit
console-validity-days = { $count ->
    [one] One day
   *[other] { $count } days
}
console-badge-alignments = Competencies attested
console-badge-no-competency = No framework is loaded: load the catalogue to align the badge with competencies.
console-badge-rule = Award rule
console-badge-rule-help = With a rule, the badge is issued automatically as soon as a learner's completions meet it; without one, it is issued by hand.
console-badge-code = The badge's code in the catalogue
console-badge-code-help = Required with a rule; no spaces (for instance e-cap1).
console-badge-rule-kind = The badge is earned
console-rule-none = By hand only (no rule)
console-rule-parcours = By completing every module of a parcours
console-rule-all_modules = By completing every module chosen
console-rule-at_least = By completing a minimum number of the modules chosen
console-rule-all_competencies = By developing every competency chosen
console-rule-all_badges = By earning every badge chosen
console-rule-parcours-choice = Parcours
console-rule-modules-choice = Modules
console-rule-count = Minimum number of modules
console-rule-competencies-choice = Competencies of the rule
console-rule-badges-choice = Badges needed
console-rule-all-modules-text = All modules: { $list }
console-rule-at-least-text = At least { $count } of: { $list }
console-rule-all-competencies-text = All competencies: { $list }
console-rule-all-badges-text = All badges: { $list }
console-preview = Preview
console-preview-title = Preview of the badge as trainers will see it

## Console: frameworks, parcours and modules
console-entry-details = Details
console-entry-no-choice = Nothing to choose yet.
console-entry-code-help = No spaces; it names the entry in the catalogue and the imports, and never changes afterwards.
console-entry-code-kept = The code names the entry: it does not change.
console-entry-title = Title
console-entry-url = Reference address (optional)
console-entry-hours = Length in hours
console-entry-modality = Modality
console-entry-lms-ids = Names of the activity in Moodle exports
console-entry-lms-ids-help = One per line: the activity's name as Moodle writes it as a column header, or its ID number.
console-entry-cmid = Moodle activity id (cmid, optional)
console-entry-cmid-help = For the synchronisation through Moodle's web services.
console-entry-competencies = Competencies developed
console-entry-course = Moodle course id (optional)
console-entry-course-help = The m@gistère course holding the parcours, for the synchronisation.
console-modality-presentiel = Face to face
console-modality-classe_virtuelle = In a virtual class
console-modality-distance = At a distance
console-module-details = { $hours } h, { $modality }
console-frameworks-title = Competency frameworks
console-frameworks-intro = The competencies badges attest and modules develop.
console-frameworks-none = No framework yet.
console-framework-new = New framework
console-framework-edit = Edit the framework { $code }
console-competency-new = New competency
console-competency-edit = Edit the competency { $code }
console-competencies = Competencies
console-competencies-none = No competency in this framework.
console-parcours-title = Parcours and modules
console-parcours-intro = The e-CAP parcours and their modules, as Moodle imports recognise them.
console-parcours-none = No parcours yet.
console-parcours-new = New parcours
console-parcours-edit = Edit the parcours { $code }
console-module-new = New module
console-module-edit = Edit the module { $code }
console-modules = Modules
console-modules-none = No module in this parcours.

## Console: rows refused by an import
console-reject-unreadable = unreadable CSV ({ $error })
console-reject-columns = { $found } columns where the header has { $expected } (wrong delimiter or truncated row?)
console-reject-no-email = no email address
console-reject-bad-email = email address refused ({ $problem })
console-reject-status = activity “{ $activity }”: unknown status “{ $status }” (not one of Moodle's completion strings; add it to [moodle] completed, not_completed or failed if your site words it otherwise)
console-reject-no-date = activity “{ $activity }”: completed without a completion date (in the course completion report, Moodle dates it once its cron has run: download it again later)
console-reject-bad-date = activity “{ $activity }”: the completion date “{ $date }” is not a readable date
console-reject-future = activity “{ $activity }”: the completion date is in the future

# Adding a badge to a wallet (VC-API, OpenID4VCI)
wallet-add = Add to my wallet
wallet-title = Add to my wallet
wallet-valid-for = { $minutes ->
    [one] These codes are valid for one minute and work only once.
   *[other] These codes are valid for { $minutes } minutes and work only once.
}
wallet-lcw-title = Learner Credential Wallet
wallet-lcw-text = Scan this QR code with the Learner Credential Wallet app. On the phone where it is installed, use the button instead.
wallet-lcw-qr-alt = QR code to scan with Learner Credential Wallet
wallet-lcw-open = Open in Learner Credential Wallet
wallet-oid4vci-title = Other wallets (OpenID4VCI)
wallet-oid4vci-text = For wallets that receive credentials through OpenID for Verifiable Credential Issuance (LearnCard, walt.id, Sphereon, the European wallets): scan this QR code, or use the button on the phone where the wallet is installed.
wallet-oid4vci-qr-alt = QR code of the badge offer for an OpenID4VCI wallet
wallet-oid4vci-open = Open in my wallet
wallet-keep-secret = Do not share these codes: the first wallet to use them receives the badge.
wallet-refresh = Reload the page to see whether the badge was received
wallet-delivered = This badge was delivered to a wallet on { $date } (the wallet's identifier: { $holder }).
wallet-expired = These codes expired unused.
wallet-retry = Get new codes
wallet-back = Back to my badges
wallet-interaction-title = A badge for your wallet
wallet-interaction-text = This link is meant for a digital wallet: scan the QR code of the "Add to my wallet" page with your wallet.
wallet-interaction-closed = This link has been used or has expired. Ask for a new one from "My badges".
wallet-link-summary = The exchange’s link, to paste into a wallet
wallet-not-deliverable = This badge has been revoked or has expired: it can no longer be added to a wallet.
wallet-too-many = You asked for many codes in a short time. Try again in a quarter of an hour.
