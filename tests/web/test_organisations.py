import sqlalchemy as sa

from talentbank.models import Invitation, Membership, MembershipRole, Organisation
from tests.factories import add_member, make_organisation, make_user
from tests.web.helpers import link_in, outbox

NEW_ORG = {
    "name": "上士幌町 デジタル推進係",
    "name_en": "Kamishihoro Town",
    "kind": "municipality",
    "municipality_code": "016331",
    "description": "ドローン配送の実証フィールドを提供しています。",
    "website": "https://www.kamishihoro.jp/",
}


def org_count(db) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(Organisation))


def test_create_organisation_makes_the_creator_owner(client, db, login):
    user = make_user(db)
    login(client, user)
    form = client.get("/orgs/new").get_data(as_text=True)
    assert '<optgroup label="十勝総合振興局">' in form and ">上士幌町</option>" in form
    response = client.post("/orgs/new", data=NEW_ORG)
    assert response.status_code == 302
    organisation = db.scalar(sa.select(Organisation))
    assert organisation.municipality_code == "016331" and not organisation.is_verified
    assert [(m.user_id, m.role) for m in organisation.memberships] == [(user.id, MembershipRole.OWNER)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "上士幌町 デジタル推進係" in page and "016331" in page and "未確認" in page


def test_municipality_select_lists_all_179_in_14_groups(client, db, login):
    login(client, make_user(db))
    form = client.get("/orgs/new").get_data(as_text=True)
    assert form.count("<optgroup") == 14
    select = form.split('id="municipality_code"')[1].split("</select>")[0]
    assert select.count("<option") == 179


def test_unknown_municipality_code_is_refused(client, db, login):
    login(client, make_user(db))
    response = client.post("/orgs/new", data={**NEW_ORG, "municipality_code": "999999"})
    assert response.status_code == 422
    assert "北海道の市町村から選んでください" in response.get_data(as_text=True)
    assert org_count(db) == 0


def test_over_long_name_and_bad_website_are_refused(client, db, login):
    login(client, make_user(db))
    assert client.post("/orgs/new", data={**NEW_ORG, "name": "長" * 121}).status_code == 422
    response = client.post("/orgs/new", data={**NEW_ORG, "website": "javascript:alert(1)"})
    assert response.status_code == 422
    assert org_count(db) == 0


def test_anonymous_cannot_create(client, db):
    response = client.post("/orgs/new", data=NEW_ORG)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert org_count(db) == 0


def test_owner_edits_but_another_user_gets_403(client, db, login, make_client):
    organisation = make_organisation(db, name="旧名称")
    stranger = make_user(db)
    login(client, stranger)
    assert client.get(f"/orgs/{organisation.public_id}/edit").status_code == 403
    response = client.post(f"/orgs/{organisation.public_id}/edit", data={**NEW_ORG, "name": "乗っ取り"})
    assert response.status_code == 403
    db.refresh(organisation)
    assert organisation.name == "旧名称"

    owner_client = make_client()
    login(owner_client, organisation.memberships[0].user)
    response = owner_client.post(f"/orgs/{organisation.public_id}/edit", data={**NEW_ORG, "name": "新名称"})
    assert response.status_code == 302
    db.refresh(organisation)
    assert organisation.name == "新名称"


def test_a_plain_member_cannot_edit(client, db, login):
    organisation = make_organisation(db)
    member = make_user(db)
    add_member(db, organisation, member)
    login(client, member)
    assert client.post(f"/orgs/{organisation.public_id}/edit", data=NEW_ORG).status_code == 403


def test_changing_kind_withdraws_verification(client, db, login):
    organisation = make_organisation(db, verified=True)
    login(client, organisation.memberships[0].user)
    client.post(f"/orgs/{organisation.public_id}/edit", data={**NEW_ORG, "kind": "company"})
    db.refresh(organisation)
    assert not organisation.is_verified


def test_invite_accept_flow(client, db, login, make_client):
    organisation = make_organisation(db)
    owner = organisation.memberships[0].user
    login(client, owner)
    response = client.post(
        f"/orgs/{organisation.public_id}/invitations", data={"email": "Staff@Example.jp", "role": "member"}
    )
    assert response.status_code == 302
    [message] = outbox(db, "staff@example.jp")
    path = link_in(message, "/invitations/")

    staff = make_user(db, email="staff@example.jp")
    staff_client = make_client()
    assert "ログイン" in staff_client.get(path).get_data(as_text=True)
    login(staff_client, staff)
    response = staff_client.post(path)
    assert response.status_code == 302
    membership = db.scalar(sa.select(Membership).where(Membership.user_id == staff.id))
    assert membership.role is MembershipRole.MEMBER and membership.organisation_id == organisation.id
    assert staff_client.get(path).status_code == 404  # used up


def test_invitation_for_another_address_is_refused(client, db, login):
    organisation = make_organisation(db)
    login(client, organisation.memberships[0].user)
    client.post(f"/orgs/{organisation.public_id}/invitations", data={"email": "invitee@example.jp", "role": "owner"})
    path = link_in(outbox(db, "invitee@example.jp")[0], "/invitations/")
    client.post("/logout")
    intruder = make_user(db, email="intruder@example.jp")
    login(client, intruder)
    response = client.post(path)
    assert response.status_code == 422
    assert db.scalar(sa.select(Membership).where(Membership.user_id == intruder.id)) is None


def test_non_member_cannot_invite(client, db, login):
    organisation = make_organisation(db)
    login(client, make_user(db))
    response = client.post(
        f"/orgs/{organisation.public_id}/invitations", data={"email": "x@example.jp", "role": "owner"}
    )
    assert response.status_code == 403
    assert db.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert outbox(db) == []


def test_plain_member_cannot_invite(client, db, login):
    organisation = make_organisation(db)
    member = make_user(db)
    add_member(db, organisation, member)
    login(client, member)
    response = client.post(
        f"/orgs/{organisation.public_id}/invitations", data={"email": "x@example.jp", "role": "owner"}
    )
    assert response.status_code == 403
    assert outbox(db) == []


def test_invite_with_bad_email_shows_the_error_and_saves_nothing(client, db, login):
    organisation = make_organisation(db)
    login(client, organisation.memberships[0].user)
    response = client.post(f"/orgs/{organisation.public_id}/invitations", data={"email": "nope", "role": "member"})
    assert response.status_code == 422
    assert "メールアドレスの形式が正しくありません" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_roles_change_and_last_owner_is_kept(client, db, login):
    organisation = make_organisation(db)
    owner_membership = organisation.memberships[0]
    member = add_member(db, organisation, make_user(db))
    login(client, owner_membership.user)
    base = f"/orgs/{organisation.public_id}/members"
    assert client.post(f"{base}/{member.id}/role", data={"role": "owner"}).status_code == 302
    db.refresh(member)
    assert member.role is MembershipRole.OWNER
    assert client.post(f"{base}/{owner_membership.id}/role", data={"role": "member"}).status_code == 302
    # now `member` is the only owner: they cannot be demoted or removed
    assert client.post(f"{base}/{member.id}/role", data={"role": "member"}).status_code == 403
    client.post("/logout")
    login(client, member.user)
    assert client.post(f"{base}/{member.id}/role", data={"role": "member"}).status_code == 422
    assert client.post(f"{base}/{member.id}/remove").status_code == 422
    db.refresh(member)
    assert member.role is MembershipRole.OWNER


def test_member_list_is_hidden_from_outsiders(client, db, login):
    organisation = make_organisation(db)
    owner = organisation.memberships[0].user
    page = client.get(f"/orgs/{organisation.public_id}").get_data(as_text=True)
    assert owner.display_name not in page
    login(client, owner)
    assert owner.display_name in client.get(f"/orgs/{organisation.public_id}").get_data(as_text=True)


def test_unknown_and_malformed_ids_are_404(client):
    assert client.get("/orgs/00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get("/orgs/1").status_code == 404


def test_admin_verifies_an_organisation(client, db, login):
    organisation = make_organisation(db)
    admin = make_user(db, is_admin=True)
    login(client, admin)
    assert organisation.name in client.get("/admin/").get_data(as_text=True)
    response = client.post(f"/admin/orgs/{organisation.public_id}/verify", data={"verified": "1"})
    assert response.status_code == 302
    db.refresh(organisation)
    assert organisation.is_verified and organisation.verified_by_id == admin.id
    assert "確認済み" in client.get(f"/orgs/{organisation.public_id}").get_data(as_text=True)


def test_non_admin_cannot_verify(client, db, login):
    organisation = make_organisation(db)
    login(client, organisation.memberships[0].user)
    assert client.get("/admin/").status_code == 403
    assert client.post(f"/admin/orgs/{organisation.public_id}/verify", data={"verified": "1"}).status_code == 403
    db.refresh(organisation)
    assert not organisation.is_verified


def test_directory_filters_by_kind(client, db):
    make_organisation(db, name="札幌テック株式会社", kind="company")
    make_organisation(db, name="旭川市役所")
    page = client.get("/orgs/?kind=company").get_data(as_text=True)
    assert "札幌テック株式会社" in page and "旭川市役所" not in page
    assert client.get("/orgs/?kind=<script>").status_code == 200
