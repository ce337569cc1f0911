"""Persistence on MongoDB (or the embedded nx-27017 server) with pymongo's AsyncMongoClient.

Engine rules every module here keeps, so that one adapter serves MongoDB, Atlas and
the embedded nx-27017 alike:
- datetimes are written only by ``insert_one``/``replace_one``, never by update
  operators: nx-27017 stores a ``$set``/``$min``/``$max`` datetime as a string;
- no dotted inclusion projections, ``$lookup``, ``$unwind``+``$group``, collation,
  change streams or cross-database transactions: joins and shaping happen in Python;
- TTL deletion is late (or, on nx-27017, happens on the next read), so every query on
  expiring data also filters on its expiry field;
- every query on tenant data carries the owner or site scope.
"""

from ragsell.adapters.mongo.errors import DataDirectoryInUse, EmbeddedStoreFailed, StoreUnavailable

__all__ = ["DataDirectoryInUse", "EmbeddedStoreFailed", "StoreUnavailable"]
