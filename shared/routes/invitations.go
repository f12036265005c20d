package routes

// invitations is reseller relationship invitations.
var invitations = []Route{}
