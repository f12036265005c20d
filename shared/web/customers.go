package web

import "net/http"

func (s *Server) customerHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{}
}
