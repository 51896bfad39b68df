package frontend

import (
	"testing"

	"github.com/maistra/builder-frontend/llb"
)

// FuzzPackagesFailure reads any log a failed native package step may
// leave (the daemon gives the frontend at most stepLogMax bytes of it):
// the reading never panics, and the message it makes stays short whatever
// the log holds (each text it quotes from the log is clipped).
// maxFailureMessage: a template of a few hundred bytes and at most a few
// clipped texts, each quoted (%q may write a byte as \x00 or a rune as
// \U0010ffff).
const maxFailureMessage = 16 << 10

func FuzzPackagesFailure(f *testing.F) {
	f.Add("apt", []byte(aptMissingLog))
	f.Add("apt", []byte("dpkg: error processing package x (--configure):\r\n installed x package post-installation script subprocess returned error exit status 1\r\n"))
	f.Add("apt", []byte("W: Failed to fetch http://127.0.0.1:1/debian/dists/bookworm/InRelease  Could not connect\nE: Unable to locate package y\n"))
	f.Add("dnf", []byte("No match for argument: nosuch\nError: Unable to find a match: nosuch\n"))
	f.Add("dnf", []byte("Errors during downloading metadata for repository 'lab':\n  - Curl error (7): after 3 ms\nError: Failed to download metadata for repo 'lab': x\n"))
	f.Add("dnf", []byte("retrieving repo key for world unencrypted from http://127.0.0.1/k\nPublic key for hello-1.0-1.aarch64.rpm is not installed\nError: GPG check FAILED\n"))
	f.Add("dnf", []byte("Package hello-1.0-1.aarch64.rpm is not signed\n\r\r\r"))
	f.Fuzz(func(t *testing.T, manager string, log []byte) {
		if len(log) > stepLogMax {
			log = log[:stepLogMax]
		}
		st := llb.Step{Kind: llb.StepPackages, Name: manager, Platform: "linux/arm64", Detail: "git"}
		msg := packagesFailure(st, log)
		if len(msg) > maxFailureMessage {
			t.Fatalf("a %d-byte log gave a %d-byte message", len(log), len(msg))
		}
	})
}
