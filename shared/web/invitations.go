package web

import "net/http"

func (s *Server) invitationHandlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{}
}
