package main

import (
	"database/sql"
	"log"
	"net/http"

	"github.com/fortify-demo/inventory-service/internal/store"
)

func main() {
	db, err := sql.Open("sqlite3", "inventory.db")
	if err != nil {
		log.Fatal(err)
	}
	s := store.New(db)
	http.HandleFunc("/stock", func(w http.ResponseWriter, r *http.Request) {
		qty, err := s.Quantity(r.URL.Query().Get("sku"))
		if err != nil {
			http.Error(w, "unknown sku", http.StatusNotFound)
			return
		}
		w.Write([]byte(qty))
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
