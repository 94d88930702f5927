"""Sessions kept in the database, as Django's `db` engine keeps them, read with one plain SELECT.

Every signed-in request reads its session. Django's engine does it through the ORM
(`Session.objects.get(session_key=…, expire_date__gt=now)`), whose query building costs more than
the read itself; this store sends the same query as SQL (parameters bound, the column and table
names from the model) and otherwise is Django's engine: the same table, the same expiry, writes,
logout and `cycle_key()` unchanged, nothing kept between requests (a session ended through one
worker is ended for every other at once). Issue 13, the load benchmark's floor.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def load(self):
        key = self.session_key  # None, or a string the key's validation accepted
        if not key:
            self._session_key = None
            return {}
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        column = {name: quote(model._meta.get_field(name).column)
                  for name in ("session_key", "session_data", "expire_date")}
        sql = (f"SELECT {column['session_data']} FROM {quote(model._meta.db_table)} "
               f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
