"""Professional headshots without a template: the customer's own photo framed head-and-shoulders
on a procedurally painted backdrop (studio, office, outdoor, brand colour, seasons)."""
from .backdrops import BACKDROPS, Backdrop
from .compose import Headshot, backdrop_alone, backdrops, headshot_create, silhouette_over

__all__ = ["BACKDROPS", "Backdrop", "Headshot", "backdrop_alone", "backdrops", "headshot_create", "silhouette_over"]
