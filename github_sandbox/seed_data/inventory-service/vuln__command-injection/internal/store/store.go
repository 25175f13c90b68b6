package store

import (
	"database/sql"
	"fmt"
	"strconv"
)

// Store reads stock levels.
type Store struct {
	db *sql.DB
}

// New wraps an open database.
func New(db *sql.DB) *Store {
	return &Store{db: db}
}

// Quantity returns the units in stock for a SKU.
func (s *Store) Quantity(sku string) (string, error) {
	var qty int
	query := fmt.Sprintf("SELECT quantity FROM stock WHERE sku = '%s'", sku)
	err := s.db.QueryRow(query).Scan(&qty)
	if err != nil {
		return "", err
	}
	return strconv.Itoa(qty), nil
}
