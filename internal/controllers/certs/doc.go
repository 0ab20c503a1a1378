// Package certs provides the TLS serving certificate and the CA bundle of the
// admission webhook server (`kanon serve`).
//
// Two sources satisfy [Source]:
//
//   - [Manager] keeps a self-signed CA and a serving pair in one Secret and
//     renews both, in every replica at once.
//   - [FileSource] reads tls.crt, tls.key and ca.crt from a directory written by
//     someone else (a cert-manager Certificate mounted as a volume) and reloads
//     them when they change.
//
// The webhook server passes GetCertificate to tls.Config and the webhook
// controller writes CABundle into every webhook configuration, again whenever
// the channel from Changed is closed (see [Source]).
//
// # The Secret
//
// Like Kyverno, which keeps its CA in a Secret next to the serving pair, the
// Manager keeps everything in one Secret (type kubernetes.io/tls, label
// cert.kanon.io/managed-by=kanon):
//
//	tls.crt  the serving certificate (PEM, leaf only)
//	tls.key  its private key (PKCS#8 PEM)
//	ca.crt   the CA bundle: the current CA first, then the previous CA while it is still valid
//	ca.key   the private key of the current CA (PKCS#8 PEM)
//
// ca.key is as sensitive as the Secret itself: whoever can read the Secret can
// sign certificates the webhook configurations trust. Grant get/list/watch/
// update on that Secret (resourceNames may restrict it; list and watch use a
// metadata.name field selector) and create on secrets in Kanon's namespace,
// to Kanon only. Other keys, labels and annotations of the Secret are kept.
// The Secret is Kanon's: to bring your own certificates use [FileSource].
// Keys are ECDSA P-256 unless Options.KeyAlgorithm says otherwise.
//
// # Several replicas
//
// Every replica runs a Manager. Every write is optimistic: Create, and on
// AlreadyExists read again; Update with the resourceVersion that was read, and
// on Conflict read again and decide again. Replicas therefore never overwrite
// each other; the loser of a race finds the winner's fresh pair and keeps it.
// Each replica watches the one Secret, so a pair written by any replica is
// served by all of them within a watch round trip. The state is only in the
// certificates themselves (no timestamps in annotations), so every replica
// comes to the same decision from the same Secret.
//
// # Renewal and rotation
//
// The API server only accepts a serving certificate that chains to the
// caBundle of the webhook configuration it is calling, and that caBundle is
// written by the webhook controller some time after the Secret changed. So a
// certificate signed by a new CA must not be served before the new CA has
// reached every webhook configuration. The Manager checks the Secret at start,
// on every change of the Secret, when the next renewal is due, and at least
// every CheckInterval, and then:
//
//  1. Serving certificate renewal under an unchanged CA: when the serving
//     certificate is within RenewBefore of its expiry, a new one is signed by the
//     current CA. ca.crt does not change, so the new certificate is trusted by
//     every caBundle already published.
//  2. CA rotation, step one: when the CA is within RenewBefore of its expiry, a
//     new CA is created and ca.crt becomes "new CA, old CA". The serving pair is
//     not touched: it is still signed by the old CA, which both the old and the
//     new bundle trust. Changed fires and the webhook controller publishes the
//     two-CA bundle.
//  3. CA rotation, step two: once RotationGrace (default 1h) has passed since
//     the new CA was issued (its NotBefore plus the 5 minutes it is back-dated),
//     the serving certificate is re-signed by the new CA. Both the two-CA
//     bundle and the new one trust it; only a configuration still holding the
//     single-CA bundle from before step two would not, and RotationGrace is the
//     time given to the webhook controller to replace that.
//  4. When the old CA expires it is dropped from ca.crt. Nothing served chains
//     to it any more (step three happened at least RenewBefore minus
//     RotationGrace earlier).
//
// In normal operation any two consecutive states of the Secret trust each
// other's serving certificate, so a replica or a webhook configuration lagging
// one write behind (a watch event delivered late, a webhook controller that
// has not caught up) never causes a failed request. The only states that do
// not trust each other are the one before step two and the one after step
// three, and RotationGrace lies between those writes.
//
// A serving certificate never outlives the CA that signs it: its NotAfter is
// capped at the CA's NotAfter (the CA is rotated RenewBefore before that, and
// the serving certificate follows it in step three).
//
// Data that cannot be used (bad PEM, a key that does not match its
// certificate, a certificate that does not chain to ca.crt, an expired CA or
// certificate, missing DNS names) is replaced at once and the replacement is
// logged with the reason. If the serving certificate is unusable while a CA
// rotation is in its grace period, it is re-signed by the new CA at once: no
// better choice exists, as the old CA's key is no longer kept. If only ca.key
// is unusable, the CA is rotated as in step two, keeping the still valid old
// CA certificate in the bundle so the serving certificate stays trusted.
//
// When replicas disagree about the DNS names or IPs (a rolling update that
// changes Options.ExtraDNS), a replica that finds names missing signs a
// certificate for the union of the existing names and its own, so the
// replicas converge instead of replacing each other's certificate in turn.
// Names no replica asks for any more disappear at the next renewal.
package certs
