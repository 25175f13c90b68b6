// Package proxy fetches remote resources on behalf of the storefront: image
// proxying, webhook tests and partner status checks.
package proxy

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const ratesAPI = "https://rates.internal.example.com"

var (
	client       = &http.Client{Timeout: 5 * time.Second}
	allowedHosts = map[string]bool{"images.example-cdn.com": true, "static.example.com": true}
)

func Image(w http.ResponseWriter, r *http.Request) {
	src := r.URL.Query().Get("src")
	// vuln: CWE-918
	resp, err := http.Get(src)
	if err != nil {
		http.Error(w, "fetch failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

type webhook struct {
	URL   string `json:"url"`
	Event string `json:"event"`
}

func TestWebhook(w http.ResponseWriter, r *http.Request) {
	var hook webhook
	if err := json.NewDecoder(r.Body).Decode(&hook); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	payload, _ := json.Marshal(map[string]string{"event": hook.Event})
	// vuln: CWE-918
	resp, err := client.Post(hook.URL, "application/json", bytes.NewReader(payload))
	if err != nil {
		http.Error(w, "delivery failed", http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
}

func partnerStatus(host string) (int, error) {
	// vuln: CWE-918
	req, err := http.NewRequest(http.MethodGet, "http://"+host+"/healthz", nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func PartnerStatus(w http.ResponseWriter, r *http.Request) {
	status, _ := partnerStatus(r.Header.Get("X-Partner-Host"))
	json.NewEncoder(w).Encode(map[string]int{"status": status})
}

func Rates(w http.ResponseWriter, r *http.Request) {
	base := r.FormValue("base")
	// vuln: CWE-918
	resp, err := client.Get(base + "/v1/rates/" + r.PathValue("currency"))
	if err != nil {
		http.Error(w, "rates unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func ImageSafe(w http.ResponseWriter, r *http.Request) {
	u, err := url.Parse(r.URL.Query().Get("src"))
	if err != nil || u.Scheme != "https" || !allowedHosts[u.Hostname()] {
		http.Error(w, "image host not allowed", http.StatusBadRequest)
		return
	}
	// safe: CWE-918
	resp, err := client.Get(u.String())
	if err != nil {
		http.Error(w, "fetch failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func RatesSafe(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-918
	resp, err := client.Get(ratesAPI + "/v1/rates/" + url.PathEscape(r.PathValue("currency")))
	if err != nil {
		http.Error(w, "rates unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func UpstreamStatus(w http.ResponseWriter, r *http.Request) {
	// safe: CWE-918
	resp, err := http.Get("https://status.example.com/api/v2/status.json")
	if err != nil {
		http.Error(w, "status unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

func Shipment(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	// safe: CWE-918
	resp, err := client.Get("https://shipping.internal.example.com/orders/" + strconv.Itoa(id))
	if err != nil {
		http.Error(w, "shipping unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}
