from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from hawker.schemas import Id, Schema


class SignUp(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=128)
    display_name: str = Field(min_length=1, max_length=80)
    role: Literal["buyer", "creator"] = "buyer"
    market_code: str | None = Field(default=None, min_length=2, max_length=2)


class LogIn(BaseModel):
    # Not re-validated as an address: login only looks the account up.
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=128)


class UserOut(Schema):
    id: Id
    email: str
    display_name: str
    role: str
    market_code: str | None
    created_at: datetime


class MeUpdate(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=80)
    market_code: str | None = Field(default=None, min_length=2, max_length=2)


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: UserOut
