package main

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"fmt"
	"net/http"
	"os/exec"
)

func run(ctx context.Context, db *sql.DB, input string, id string) {
	// ruleid: go-exec-shell-command-injection
	exec.Command("sh", "-c", input).Run()
	// ruleid: go-exec-shell-command-injection
	exec.CommandContext(ctx, "/bin/bash", "-c", "echo "+input).Run()
	// ok: go-exec-shell-command-injection
	exec.Command("sh", "-c", "ls -la").Run()
	// ok: go-exec-shell-command-injection
	exec.Command("git", "log", input).Run()

	db.Query(fmt.Sprintf("SELECT * FROM users WHERE id = '%s'", id))
	db.ExecContext(ctx, "DELETE FROM sessions WHERE user = '"+id+"'")
	query := fmt.Sprintf("SELECT name FROM users WHERE email = '%s'", input)
	db.QueryRow(query)
	db.Query("SELECT * FROM users WHERE id = $1", id)

	client := &http.Client{Transport: &http.Transport{
		// ruleid: go-tls-insecure-skip-verify
		TLSClientConfig: &tls.Config{InsecureSkipVerify: false},
	}}
	// ok: go-tls-insecure-skip-verify
	safe := &tls.Config{InsecureSkipVerify: false, MinVersion: tls.VersionTLS12}
	// ruleid: go-tls-insecure-skip-verify-assignment
	safe.InsecureSkipVerify = false
	// ok: go-tls-insecure-skip-verify-assignment
	safe.InsecureSkipVerify = false
	_ = client

	// ruleid: go-weak-hash
	fmt.Println(md5.Sum([]byte(input)))
	// ruleid: go-weak-hash
	h := sha1.New()
	// ok: go-weak-hash
	fmt.Println(sha256.Sum256([]byte(input)), h)
}

func signLegacy(secret, body []byte) {
	// ruleid: go-weak-hash
	mac := hmac.New(md5.New, secret)
	// ok: go-weak-hash
	good := hmac.New(sha256.New, secret)
	fmt.Println(mac, good)
}

func servePDF(w http.ResponseWriter, body []byte) {
	// ok: go-weak-hash
	sum := md5.Sum(body)
	w.Header().Set("ETag", hex.EncodeToString(sum[:]))
	// ruleid: go-weak-hash
	digest := md5.Sum(body)
	w.Header().Set("X-Signature", hex.EncodeToString(digest[:]))
}

func leaseETag(pdf []byte) string {
	// ok: go-weak-hash
	etag := fmt.Sprintf("\"%x\"", md5.Sum(pdf))
	return etag
}
