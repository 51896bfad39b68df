package lab

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// artifactServer serves a directory, with handlers registered for single paths (or path prefixes ending in "/")
// taking precedence, and counts requests per path.
type artifactServer struct {
	files    http.Handler
	mu       sync.Mutex
	handlers map[string]*registration
	hits     map[string]int
}

// registration is one Handle call; its address tells a removal apart from a later Handle for the same path.
type registration struct{ h http.Handler }

func newArtifactServer(dir string) *artifactServer {
	return &artifactServer{
		files:    http.FileServer(http.Dir(dir)),
		handlers: map[string]*registration{},
		hits:     map[string]int{},
	}
}

func (a *artifactServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.hits[r.URL.Path]++
	h, best := a.files, -1
	for pattern, reg := range a.handlers {
		if (pattern == r.URL.Path || strings.HasSuffix(pattern, "/") && strings.HasPrefix(r.URL.Path, pattern)) && len(pattern) > best {
			h, best = reg.h, len(pattern)
		}
	}
	a.mu.Unlock()
	h.ServeHTTP(w, r)
}

// Handle makes the artifact server answer requests for path (e.g. "/helm-v3.16.0-linux-amd64.tar.gz", or a prefix
// ending in "/") with h instead of the file in ArtifactDir; a nil h removes the handler. It returns a function that
// removes it (for t.Cleanup). Only a Lab from Start serves artifacts; on an attached Lab, Handle panics.
func (l *Lab) Handle(path string, h http.Handler) (remove func()) {
	if l.art == nil {
		panic("lab: Handle on a Lab that does not run the artifact server (attached?)")
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	l.art.mu.Lock()
	defer l.art.mu.Unlock()
	if h == nil {
		delete(l.art.handlers, path)
		return func() {}
	}
	reg := &registration{h}
	l.art.handlers[path] = reg
	return func() {
		l.art.mu.Lock()
		defer l.art.mu.Unlock()
		if l.art.handlers[path] == reg {
			delete(l.art.handlers, path)
		}
	}
}

// ArtifactHits is the number of requests the artifact server has had for path (any method, any answer), e.g. to
// check that a rebuild did not download an artifact again. Always 0 on an attached Lab.
func (l *Lab) ArtifactHits(path string) int {
	if l.art == nil {
		return 0
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	l.art.mu.Lock()
	defer l.art.mu.Unlock()
	return l.art.hits[path]
}

// TruncatedHandler answers 200 with Content-Length len(data), sends only the first n bytes of data and then closes
// the connection: a download cut off mid-way.
func TruncatedHandler(data []byte, n int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := min(max(n, 0), len(data))
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(data[:n])
		}
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // closes the connection without a log line
	})
}

// StatusHandler answers every request with code and a one-line body.
func StatusHandler(code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, http.StatusText(code), code)
	})
}
