async function loadAnnouncements() {
  const response = await fetch('/api/announcements');
  const items = await response.json();
  const list = document.getElementById('announcements');
  for (const item of items) {
    const li = document.createElement('li');
    li.textContent = item.message;
    list.appendChild(li);
  }
}

loadAnnouncements();
