"""Reading owners' websites: the one guarded HTTP fetcher (every URL the server fetches
goes through it), robots.txt, sitemaps, trafilatura extraction, and the crawler."""

from ragsell.adapters.web.crawler import CrawlLimits, WebSiteCrawler
from ragsell.adapters.web.fetcher import FetchLimits, GuardedFetcher, user_agent

__all__ = ["CrawlLimits", "FetchLimits", "GuardedFetcher", "WebSiteCrawler", "user_agent"]
