"""The customer website: server-rendered pages over the studio's services (views stay thin)."""
