// Package integrations talks to partners: the payment provider, the resale
// marketplace, venue box-office systems and the identity provider.
package integrations

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rc4"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/chacha20poly1305"
)

// vuln: CWE-798
const stripeSecretKey = "sk_live_51NvQpLK8dWqZr2tYb7HcXe0fJmA3sUgV9kPoRiT4wEyDnBlCa6MhG"

// vuln: CWE-798
var marketplaceWebhookSecret = []byte("whsec_9fK2mQx7LpR4vT8nYc3Bz6Hd1Js5Wa0E")

type Partners struct {
	DB             *sql.DB
	HTTP           *http.Client
	BarcodeKey     []byte
	FeedKey        []byte
	VenueSyncBase  string
	TrustedIssuers []string
}

func New(db *sql.DB) *Partners {
	return &Partners{
		DB:   db,
		HTTP: &http.Client{Timeout: 10 * time.Second},
		// safe: CWE-798
		BarcodeKey:     mustHex(os.Getenv("BARCODE_KEY_HEX")),
		FeedKey:        mustHex(os.Getenv("RESALE_FEED_KEY_HEX")),
		VenueSyncBase:  os.Getenv("VENUE_SYNC_BASE_URL"),
		TrustedIssuers: strings.Split(os.Getenv("SSO_TRUSTED_ISSUERS"), ","),
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic("bad hex key")
	}
	return b
}

func (p *Partners) Register(r *gin.Engine) {
	g := r.Group("/partners")
	g.POST("/payments/charge", p.Charge)
	g.POST("/payments/callback", p.PaymentCallback)
	g.GET("/payments/return/:orderID", p.PaymentReturn)
	g.POST("/resale/feeds", p.RegisterResaleFeed)
	g.POST("/resale/feeds/:id/refresh", p.RefreshResaleFeed)
	g.POST("/venues/webhooks", p.VenueWebhook)
	g.POST("/venues/:venueID/sync", p.SyncVenue)
	g.GET("/img", p.ImageProxy)
	g.GET("/img/cdn", p.CDNImage)
	g.GET("/sso/discover", p.DiscoverIssuer)
	g.GET("/sso/metadata", p.TrustedMetadata)
	g.GET("/barcodes/:ticket", p.Barcode)
	g.GET("/barcodes/:ticket/v2", p.BarcodeV2)
	g.POST("/resale/listings/export", p.ExportListings)
	g.POST("/venues/:venueID/access-list", p.AccessList)
}

// Charge creates a payment intent with the card processor.
func (p *Partners) Charge(c *gin.Context) {
	amount, err := strconv.ParseInt(c.PostForm("amount_cents"), 10, 64)
	if err != nil || amount <= 0 {
		c.Status(http.StatusBadRequest)
		return
	}
	form := url.Values{"amount": {strconv.FormatInt(amount, 10)}, "currency": {"eur"}}
	req, _ := http.NewRequestWithContext(c.Request.Context(), http.MethodPost, "https://api.stripe.com/v1/payment_intents", strings.NewReader(form.Encode()))
	req.SetBasicAuth(stripeSecretKey, "")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.HTTP.Do(req)
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	c.DataFromReader(resp.StatusCode, resp.ContentLength, "application/json", resp.Body, nil)
}

// PaymentCallback receives asynchronous payment notifications.
func (p *Partners) PaymentCallback(c *gin.Context) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, 1<<20))
	if err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	// safe: CWE-798
	secret := []byte(os.Getenv("PAYMENT_WEBHOOK_SECRET"))
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(c.GetHeader("X-Signature"))) {
		c.Status(http.StatusUnauthorized)
		return
	}
	var evt struct {
		OrderRef string `json:"order_ref"`
		Status   string `json:"status"`
	}
	if err := json.Unmarshal(body, &evt); err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	_, _ = p.DB.ExecContext(c.Request.Context(), "UPDATE orders SET status = $1 WHERE reference = $2", evt.Status, evt.OrderRef)
	c.Status(http.StatusNoContent)
}

// PaymentReturn is where the hosted payment page sends the browser back.
func (p *Partners) PaymentReturn(c *gin.Context) {
	orderID, err := strconv.ParseInt(c.Param("orderID"), 10, 64)
	if err != nil {
		c.Redirect(http.StatusFound, "/account/orders")
		return
	}
	// safe: CWE-601
	c.Redirect(http.StatusFound, "/account/orders/"+strconv.FormatInt(orderID, 10)+"?paid="+url.QueryEscape(c.Query("status")))
}

type resaleFeed struct {
	Partner string `json:"partner"`
	URL     string `json:"url"`
}

// RegisterResaleFeed lets a marketplace register its listing feed; the feed is fetched once to validate it.
func (p *Partners) RegisterResaleFeed(c *gin.Context) {
	var feed resaleFeed
	if err := c.ShouldBindJSON(&feed); err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	// vuln: CWE-918
	resp, err := p.HTTP.Get(feed.URL)
	if err != nil {
		c.JSON(http.StatusBadGateway, gin.H{"error": "feed unreachable"})
		return
	}
	defer resp.Body.Close()
	sample, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	_, _ = p.DB.ExecContext(c.Request.Context(), "INSERT INTO resale_feeds (partner, url) VALUES ($1, $2)", feed.Partner, feed.URL)
	c.JSON(http.StatusCreated, gin.H{"sample": string(sample)})
}

var resaleHosts = map[string]bool{
	"feeds.stubhub.example":     true,
	"api.viagogo.example":       true,
	"partners.ticketswap.example": true,
}

// RefreshResaleFeed re-reads a registered marketplace feed.
func (p *Partners) RefreshResaleFeed(c *gin.Context) {
	var raw string
	if err := p.DB.QueryRowContext(c.Request.Context(), "SELECT url FROM resale_feeds WHERE id = $1", c.Param("id")).Scan(&raw); err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || !resaleHosts[u.Hostname()] || u.Port() != "" {
		c.Status(http.StatusForbidden)
		return
	}
	// safe: CWE-918
	resp, err := p.HTTP.Get(u.String())
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	c.Status(http.StatusAccepted)
}

type venueWebhook struct {
	VenueID     int64  `json:"venue_id"`
	Event       string `json:"event"`
	CallbackURL string `json:"callback_url"`
}

// VenueWebhook acknowledges a venue-system webhook by calling its callback.
func (p *Partners) VenueWebhook(c *gin.Context) {
	var hook venueWebhook
	if err := c.BindJSON(&hook); err != nil {
		return
	}
	ack, _ := json.Marshal(map[string]string{"received": hook.Event})
	// vuln: CWE-918
	req, _ := http.NewRequest(http.MethodPost, hook.CallbackURL, bytes.NewReader(ack))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := p.HTTP.Do(req); err == nil {
		resp.Body.Close()
	}
	c.Status(http.StatusAccepted)
}

// SyncVenue asks the venue-system gateway for the latest hall configuration.
func (p *Partners) SyncVenue(c *gin.Context) {
	venueID, err := strconv.Atoi(c.Param("venueID"))
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	// safe: CWE-918
	resp, err := p.HTTP.Get(p.VenueSyncBase + "/halls/" + strconv.Itoa(venueID) + "/config")
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	c.DataFromReader(resp.StatusCode, resp.ContentLength, "application/json", resp.Body, nil)
}

// ImageProxy fetches artist images so that they are served from our origin.
func (p *Partners) ImageProxy(c *gin.Context) {
	src := c.Query("src")
	// vuln: CWE-918
	resp, err := http.Get(src)
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	c.DataFromReader(http.StatusOK, resp.ContentLength, resp.Header.Get("Content-Type"), resp.Body, nil)
}

// CDNImage serves an artist image from the CDN bucket.
func (p *Partners) CDNImage(c *gin.Context) {
	key := c.Query("key")
	u := url.URL{Scheme: "https", Host: "img.tickets-cdn.example.com", Path: "/artists/" + key}
	// safe: CWE-918
	resp, err := p.HTTP.Get(u.String())
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	c.DataFromReader(http.StatusOK, resp.ContentLength, resp.Header.Get("Content-Type"), resp.Body, nil)
}

// DiscoverIssuer loads OpenID configuration for the issuer typed into the SSO set-up form.
func (p *Partners) DiscoverIssuer(c *gin.Context) {
	issuer := strings.TrimRight(c.Query("issuer"), "/")
	wellKnown := fmt.Sprintf("%s/.well-known/openid-configuration", issuer)
	// vuln: CWE-918
	resp, err := p.HTTP.Get(wellKnown)
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var meta map[string]interface{}
	_ = json.NewDecoder(resp.Body).Decode(&meta)
	c.JSON(http.StatusOK, meta)
}

// TrustedMetadata loads OpenID configuration for the issuer of an existing SSO connection.
func (p *Partners) TrustedMetadata(c *gin.Context) {
	want := strings.TrimRight(c.Query("issuer"), "/")
	issuer := ""
	for _, t := range p.TrustedIssuers {
		if strings.TrimRight(t, "/") == want {
			issuer = strings.TrimRight(t, "/")
		}
	}
	if issuer == "" {
		c.Status(http.StatusForbidden)
		return
	}
	// safe: CWE-918
	resp, err := p.HTTP.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		c.Status(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	c.DataFromReader(resp.StatusCode, resp.ContentLength, "application/json", resp.Body, nil)
}

// encryptBarcode encrypts the ticket payload printed in the 2D barcode.
func encryptBarcode(key []byte, payload []byte) ([]byte, error) {
	// vuln: CWE-327
	block, err := des.NewCipher(key[:8])
	if err != nil {
		return nil, err
	}
	for len(payload)%block.BlockSize() != 0 {
		payload = append(payload, ' ')
	}
	out := make([]byte, len(payload))
	iv := make([]byte, block.BlockSize())
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, payload)
	return out, nil
}

// Barcode returns the encrypted barcode payload for a ticket.
func (p *Partners) Barcode(c *gin.Context) {
	payload := []byte(fmt.Sprintf("T%s|%d", c.Param("ticket"), time.Now().Unix()))
	enc, err := encryptBarcode(p.BarcodeKey, payload)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.String(http.StatusOK, base64.StdEncoding.EncodeToString(enc))
}

func sealBarcodeV2(key, payload []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	// safe: CWE-327
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, payload, nil), nil
}

// BarcodeV2 is the barcode format for the new scanners.
func (p *Partners) BarcodeV2(c *gin.Context) {
	payload := []byte(fmt.Sprintf("T%s|%d", c.Param("ticket"), time.Now().Unix()))
	enc, err := sealBarcodeV2(p.BarcodeKey, payload)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.String(http.StatusOK, base64.RawURLEncoding.EncodeToString(enc))
}

// obfuscateListing scrambles seat details in the feed sent to the resale marketplace.
func obfuscateListing(key, data []byte) ([]byte, error) {
	// vuln: CWE-327
	c, err := rc4.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out, nil
}

func encryptListingV2(key, data []byte) ([]byte, error) {
	// safe: CWE-327
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, data, nil), nil
}

// ExportListings pushes the resale listings to the marketplace in its requested format.
func (p *Partners) ExportListings(c *gin.Context) {
	var listings []map[string]interface{}
	if err := c.ShouldBindJSON(&listings); err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	raw, _ := json.Marshal(listings)
	var out []byte
	var err error
	if c.Query("format") == "v1" {
		out, err = obfuscateListing(p.FeedKey, raw)
	} else {
		out, err = encryptListingV2(p.FeedKey, raw)
	}
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(http.StatusOK, "application/octet-stream", out)
}

// tripleDESEncrypt is used for the access-list file some older venue systems import.
func tripleDESEncrypt(key, plain []byte) ([]byte, error) {
	// vuln: CWE-327
	block, err := des.NewTripleDESCipher(key)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, des.BlockSize)
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	pad := des.BlockSize - len(plain)%des.BlockSize
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plain)
	return append(iv, out...), nil
}

// ecbEncrypt is used for the door systems of one venue group.
func ecbEncrypt(key, plain []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if len(plain)%aes.BlockSize != 0 {
		return nil, errors.New("plaintext not block aligned")
	}
	out := make([]byte, len(plain))
	for i := 0; i < len(plain); i += aes.BlockSize {
		// vuln: CWE-327
		block.Encrypt(out[i:i+aes.BlockSize], plain[i:i+aes.BlockSize])
	}
	return out, nil
}

func gcmEncrypt(key, plain, aad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	// safe: CWE-327
	aead, err := cipher.NewGCMWithNonceSize(block, 12)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plain, aad), nil
}

// AccessList encrypts the access list for a venue in the format its system expects.
func (p *Partners) AccessList(c *gin.Context) {
	var venueFormat string
	if err := p.DB.QueryRowContext(c.Request.Context(), "SELECT access_list_format FROM venues WHERE id = $1", c.Param("venueID")).Scan(&venueFormat); err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(c.Request.Body, 4<<20))
	var out []byte
	var err error
	switch venueFormat {
	case "3des":
		out, err = tripleDESEncrypt(p.FeedKey[:24], body)
	case "ecb":
		for len(body)%aes.BlockSize != 0 {
			body = append(body, 0)
		}
		out, err = ecbEncrypt(p.FeedKey[:16], body)
	default:
		out, err = gcmEncrypt(p.FeedKey[:32], body, []byte(c.Param("venueID")))
	}
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(http.StatusOK, "application/octet-stream", out)
}

// verifyMarketplaceSignature checks the signature on marketplace callbacks.
func verifyMarketplaceSignature(body []byte, sig string) bool {
	mac := hmac.New(sha256.New, marketplaceWebhookSecret)
	mac.Write(body)
	return hmac.Equal(mac.Sum(nil), []byte(sig))
}
