package lab

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Request is one HTTP request a lab server (the registry, the artifact server) answered.
type Request struct {
	Time     time.Time // when the answer was complete
	Method   string
	Path     string
	Query    string // the raw query
	Status   int
	BytesIn  int64  // request body bytes the server read
	BytesOut int64  // response body bytes it wrote
	Location string // the answer's Location header (the registry: where a blob upload continues)
}

// requestLog records every request a handler answered, in the order they were answered.
type requestLog struct {
	mu   sync.Mutex
	reqs []Request
}

func (rl *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := &countingReader{r: r.Body}
		r.Body = body
		cw := &countingWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			rl.mu.Lock()
			rl.reqs = append(rl.reqs, Request{Time: time.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
				Status: cw.status, BytesIn: body.n, BytesOut: cw.n, Location: cw.Header().Get("Location")})
			rl.mu.Unlock()
		}()
		h.ServeHTTP(cw, r)
	})
}

// from returns a copy of the requests from the n-th on.
func (rl *requestLog) from(n int) []Request {
	if rl == nil {
		return nil
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if n < 0 || n > len(rl.reqs) {
		n = len(rl.reqs)
	}
	return append([]Request(nil), rl.reqs[n:]...)
}

type countingReader struct {
	r io.ReadCloser
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (c *countingWriter) WriteHeader(code int) {
	c.status = code
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (the artifact server's TruncatedHandler flushes).
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// RegistryRequests returns the requests the lab registry answered from the n-th on (0: all of them). A test takes
// len(RegistryRequests(0)) before a build and passes it afterwards to see what that build sent. Nil on an attached
// Lab.
func (l *Lab) RegistryRequests(n int) []Request { return l.regLog.from(n) }

// ArtifactRequests returns the requests the artifact server answered from the n-th on, like RegistryRequests.
func (l *Lab) ArtifactRequests(n int) []Request { return l.artLog.from(n) }

// Upload is one blob pushed to a registry.
type Upload struct {
	Repository string // "e2e/builder"
	Digest     string // "sha256:..."
	Bytes      int64  // body bytes of the requests that carried it (POST, PATCH, PUT)
}

// BlobUploads returns the blob uploads that reqs (a registry's requests, e.g. Lab.RegistryRequests) completed, in
// order: a monolithic POST ?digest=, or a POST that opened an upload session, its PATCHes and the PUT ?digest= that
// closed it. A cross-repository mount (POST ?mount=) and a blob found by HEAD are not uploads.
func BlobUploads(reqs []Request) []Upload {
	open := map[string]int64{} // upload session path -> bytes so far
	var ups []Upload
	for _, r := range reqs {
		repo, ok := uploadRepository(r.Path)
		if !ok || r.Status >= 300 {
			continue
		}
		q, _ := url.ParseQuery(r.Query)
		bytes := open[r.Path] + r.BytesIn
		delete(open, r.Path)
		switch {
		case r.Method == http.MethodPost && q.Get("mount") != "" && r.Status == http.StatusCreated:
			continue // mounted: nothing sent
		case (r.Method == http.MethodPut || r.Method == http.MethodPost) && q.Get("digest") != "" && r.Status == http.StatusCreated:
			ups = append(ups, Upload{Repository: repo, Digest: q.Get("digest"), Bytes: bytes})
		case r.Location != "":
			if u, err := url.Parse(r.Location); err == nil {
				open[u.Path] = bytes
			}
		}
	}
	return ups
}

// uploadRepository returns the repository of an upload path, /v2/<repository>/blobs/uploads/[<session>].
func uploadRepository(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "/v2/")
	if !ok {
		return "", false
	}
	if repo, ok := strings.CutSuffix(rest, "/blobs/uploads"); ok && repo != "" {
		return repo, true
	}
	i := strings.LastIndex(rest, "/blobs/uploads/")
	if i <= 0 || strings.Contains(rest[i+len("/blobs/uploads/"):], "/") {
		return "", false
	}
	return rest[:i], true
}
