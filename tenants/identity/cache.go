package identity

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/google/uuid"
)

type cacheKey [sha256.Size]byte

// keyFor hashes a credential so raw tokens and cookies are never kept in memory
// as map keys. kind separates session tokens from cookie headers.
func keyFor(kind byte, credential string) cacheKey {
	h := sha256.New()
	h.Write([]byte{kind, 0})
	h.Write([]byte(credential))
	var k cacheKey
	h.Sum(k[:0])
	return k
}

const (
	kindToken  byte = 't'
	kindCookie byte = 'c'
)

type cacheEntry struct {
	key     cacheKey
	session Session
	expires time.Time
}

// sessionCache is a bounded LRU of successful whoami results with a TTL,
// indexed by identity so all entries of one identity can be dropped.
type sessionCache struct {
	mu         sync.Mutex
	ttl        time.Duration
	max        int
	now        func() time.Time
	lru        *list.List // front = most recently used; values are *cacheEntry
	byKey      map[cacheKey]*list.Element
	byIdentity map[uuid.UUID]map[cacheKey]struct{}
	// epoch changes on every invalidation; a lookup that started before an
	// invalidation must not store its (possibly revoked) result afterwards.
	epoch uint64
}

func newSessionCache(ttl time.Duration, max int, now func() time.Time) *sessionCache {
	return &sessionCache{
		ttl:        ttl,
		max:        max,
		now:        now,
		lru:        list.New(),
		byKey:      make(map[cacheKey]*list.Element),
		byIdentity: make(map[uuid.UUID]map[cacheKey]struct{}),
	}
}

func (c *sessionCache) enabled() bool { return c != nil && c.ttl > 0 && c.max > 0 }

func (c *sessionCache) get(k cacheKey) (Session, bool) {
	if !c.enabled() {
		return Session{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[k]
	if !ok {
		return Session{}, false
	}
	e := el.Value.(*cacheEntry)
	if !c.now().Before(e.expires) {
		c.removeLocked(el)
		return Session{}, false
	}
	c.lru.MoveToFront(el)
	return e.session, true
}

// begin returns the epoch to pass to put for a lookup starting now.
func (c *sessionCache) begin() uint64 {
	if !c.enabled() {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

func (c *sessionCache) put(k cacheKey, s Session, epoch uint64) {
	if !c.enabled() {
		return
	}
	now := c.now()
	expires := now.Add(c.ttl)
	if !s.ExpiresAt.IsZero() && s.ExpiresAt.Before(expires) {
		expires = s.ExpiresAt
	}
	if !now.Before(expires) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if el, ok := c.byKey[k]; ok {
		c.removeLocked(el)
	}
	el := c.lru.PushFront(&cacheEntry{key: k, session: s, expires: expires})
	c.byKey[k] = el
	ids := c.byIdentity[s.IdentityID]
	if ids == nil {
		ids = make(map[cacheKey]struct{})
		c.byIdentity[s.IdentityID] = ids
	}
	ids[k] = struct{}{}
	for c.lru.Len() > c.max {
		c.removeLocked(c.lru.Back())
	}
}

func (c *sessionCache) forget(keys ...cacheKey) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, k := range keys {
		if el, ok := c.byKey[k]; ok {
			c.removeLocked(el)
		}
	}
}

func (c *sessionCache) forgetIdentity(id uuid.UUID) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k := range c.byIdentity[id] {
		if el, ok := c.byKey[k]; ok {
			c.removeLocked(el)
		}
	}
	delete(c.byIdentity, id)
}

func (c *sessionCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

func (c *sessionCache) removeLocked(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.lru.Remove(el)
	delete(c.byKey, e.key)
	if ids := c.byIdentity[e.session.IdentityID]; ids != nil {
		delete(ids, e.key)
		if len(ids) == 0 {
			delete(c.byIdentity, e.session.IdentityID)
		}
	}
}
