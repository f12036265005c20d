package web

import "net/http"

func (s *Server) orderHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{}
}
