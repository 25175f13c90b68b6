// Package webhooks delivers carrier callbacks and fetches partner documents.
package webhooks

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

const carrierAPI = "https://api.carrier.example.com"

var (
	httpClient    = &http.Client{Timeout: 10 * time.Second}
	callbackHosts = map[string]bool{"callbacks.partner-a.example.com": true, "hooks.partner-b.example.com": true}
)

func RegisterCallback(w http.ResponseWriter, r *http.Request) {
	callback := r.PostFormValue("callback_url")
	// vuln: CWE-918
	resp, err := httpClient.Post(callback, "application/json", strings.NewReader(`{"event":"registered"}`))
	if err != nil {
		http.Error(w, "callback failed", http.StatusBadGateway)
		return
	}
	resp.Body.Close()
}

func FetchPOD(w http.ResponseWriter, r *http.Request) {
	docURL := r.URL.Query().Get("document")
	// vuln: CWE-918
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, docURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, "fetch failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func CarrierQuote(w http.ResponseWriter, r *http.Request) {
	carrier := chi.URLParam(r, "carrier")
	// vuln: CWE-918
	resp, err := http.Get("https://" + carrier + "/v2/quote?weight=" + r.URL.Query().Get("weight"))
	if err != nil {
		http.Error(w, "quote failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func ProbePartner(w http.ResponseWriter, r *http.Request) {
	addr := r.Header.Get("X-Partner-Addr")
	dialer := net.Dialer{Timeout: 3 * time.Second}
	// vuln: CWE-918
	conn, err := dialer.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		http.Error(w, "unreachable", http.StatusBadGateway)
		return
	}
	conn.Close()
}

func RegisterCallbackSafe(w http.ResponseWriter, r *http.Request) {
	u, err := url.Parse(r.PostFormValue("callback_url"))
	if err != nil || u.Scheme != "https" || !callbackHosts[u.Hostname()] {
		http.Error(w, "callback host not allowed", http.StatusBadRequest)
		return
	}
	// safe: CWE-918
	resp, err := httpClient.Post(u.String(), "application/json", strings.NewReader(`{"event":"registered"}`))
	if err != nil {
		http.Error(w, "callback failed", http.StatusBadGateway)
		return
	}
	resp.Body.Close()
}

func CarrierQuoteSafe(w http.ResponseWriter, r *http.Request) {
	weight, err := strconv.ParseFloat(r.URL.Query().Get("weight"), 64)
	if err != nil {
		http.Error(w, "bad weight", http.StatusBadRequest)
		return
	}
	// safe: CWE-918
	resp, err := http.Get(carrierAPI + "/v2/quote?weight=" + strconv.FormatFloat(weight, 'f', 2, 64))
	if err != nil {
		http.Error(w, "quote failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func CarrierStatus(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-918
	resp, err := httpClient.Get("https://status.carrier.example.com/api/status.json")
	if err != nil {
		http.Error(w, "status unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func Track(w http.ResponseWriter, r *http.Request) {
	tn := url.PathEscape(chi.URLParam(r, "tn"))
	// safe: CWE-918
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, carrierAPI+"/v2/track/"+tn, nil)
	resp, err := httpClient.Do(req)
	if err != nil {
		http.Error(w, "tracking unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}
