"""User names unique ignoring case, in the database: ``Alice`` and ``alice`` are one account.

``User.by_username`` and ``create-user`` already treat names case-insensitively, but two
accounts differing only in case could still be stored (an import, two commands racing,
SQL typed by hand), and only the first could ever log in. A unique index on
``lower(username)`` makes the database refuse the second.

A database that already holds such pairs keeps the oldest account's name; each younger
one (unreachable until now: logins found the oldest) is renamed ``<name>-<id>`` and
reported on stderr, so the upgrade never fails and no account is lost.

Revision ID: 5b7c2d9e4a10
Revises: 13e2f659f11d
Create Date: 2026-12-06 09:00:00
"""
import sys

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "5b7c2d9e4a10"
down_revision = "13e2f659f11d"
branch_labels = None
depends_on = None

INDEX = "uq_users_username_lower"
users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String))


def _rename_case_duplicates(bind):
    rows = bind.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)).all()
    taken = {name.lower() for _, name in rows}
    seen = set()
    for user_id, name in rows:
        if name.lower() not in seen:
            seen.add(name.lower())
            continue
        new_name = f"{name[:50]}-{user_id}"
        while new_name.lower() in taken:
            new_name += "-"
        taken.add(new_name.lower())
        bind.execute(users.update().where(users.c.id == user_id).values(username=new_name))
        print(f"users: {name!r} (id {user_id}) differs only in case from an older account; "
              f"renamed to {new_name!r}", file=sys.stderr)


def upgrade():
    if not op.get_context().as_sql:
        _rename_case_duplicates(op.get_bind())  # none where the index exists already
    # IF NOT EXISTS: create_all may have made it (SQLite cannot reflect it to tell us).
    op.create_index(INDEX, "users", [sa.text("lower(username)")], unique=True,
                    if_not_exists=True)


def downgrade():
    op.drop_index(INDEX, table_name="users", if_exists=True)
