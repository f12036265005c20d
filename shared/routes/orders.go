package routes

// orders is the catalog, carts and orders.
var orders = []Route{}
