package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Stored is a mail the FileSender kept, as /dev/mail.json shows it.
type Stored struct {
	ID      string    `json:"id"`
	To      []string  `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	HTML    string    `json:"html"`
	SentAt  time.Time `json:"sentAt"`
}

// FileSender is the local server's Sender: each message becomes a JSON file in Dir, so a person
// can read it at /dev/mail and click its links, with no mail service at all.
type FileSender struct {
	Dir string
}

// Send writes m to a new file and returns its ID.
func (f FileSender) Send(_ context.Context, m Message) (string, error) {
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return "", err
	}
	var b [8]byte
	rand.Read(b[:])
	now := time.Now().UTC()
	id := fmt.Sprintf("%d-%s", now.UnixNano(), hex.EncodeToString(b[:]))
	data, err := json.Marshal(Stored{ID: id, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, SentAt: now})
	if err != nil {
		return "", err
	}
	tmp := filepath.Join(f.Dir, "."+id)
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return "", err
	}
	return id, os.Rename(tmp, filepath.Join(f.Dir, id+".json")) // readers never see half a file
}

// List returns the kept mail, newest first.
func (f FileSender) List() ([]Stored, error) {
	entries, err := os.ReadDir(f.Dir)
	if os.IsNotExist(err) {
		return []Stored{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := []Stored{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(f.Dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var s Stored
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("mail: %s: %w", e.Name(), err)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Stored) int { return b.SentAt.Compare(a.SentAt) })
	return out, nil
}
