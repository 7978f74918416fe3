// Package localrun brings the whole system up on this machine for `mage local`: it starts
// localcloud (or reuses one already serving), confirms the e-mail subscriptions that the
// deploy created by fetching their links from the local mailbox, tells the user how to
// send an order, and follows the functions' logs.
//
// The deploy itself goes through the same change-set code as a deploy to AWS
// (internal/deploy); this package only does what AWS would do by itself or what a person
// would do by hand.
package localrun
