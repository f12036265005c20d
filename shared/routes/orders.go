package routes

// Orders is the function that serves the catalog, carts and orders, and (on its schedule) fulfils
// pending orders.
const Orders = "orders"

// orders is the catalog, carts and orders. An order's cancellation is Partner Center's: a PATCH
// of the order with {"status": "cancelled"}, allowed while the order is pending.
var orders = []Route{
	{"GET", "/v1/products", Orders, agents},
	{"POST", "/v1/customers/{id}/carts", Orders, agents},
	{"GET", "/v1/customers/{id}/carts/{cartId}", Orders, agents},
	{"PUT", "/v1/customers/{id}/carts/{cartId}", Orders, agents},
	{"POST", "/v1/customers/{id}/carts/{cartId}/checkout", Orders, agents},
	{"GET", "/v1/customers/{id}/orders", Orders, agents},
	{"GET", "/v1/customers/{id}/orders/{orderId}", Orders, agents},
	{"PATCH", "/v1/customers/{id}/orders/{orderId}", Orders, agents},
}
