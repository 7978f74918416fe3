// Package mail is localcloud's captured mailbox: every e-mail SNS would send
// (notifications, subscription confirmations) is written durably as one
// RFC 5322 .eml file under <data-dir>/mail/, readable by any mail client or
// text editor, and listed or shown by `localcloud mail list|show`.
package mail
