#!/usr/bin/env python3
"""Drive the fake's STS with the official Python SDK's own credential classes.

Usage: official_sts.py ENDPOINT --secret-id ID --secret-key KEY --role-arn ARN
       --provider-id ID --token-file PATH --instances A,B,C

ENDPOINT is the fake's URL (http://127.0.0.1:PORT). Each case prints one JSON line:
{"case": ..., "code": <TencentCloudSDKException.get_code() or null>, "tmp_secret_id": ...,
 "task_id": ..., "message": ...}. The cases use `STSAssumeRoleCredential`,
`OIDCRoleArnCredential` and `DefaultTkeOIDCRoleArnProvider` (TKE_* variables) pointed at the
fake, then sign a Redis CleanUpInstance with the temporary credentials they obtained.
Requires tencentcloud-sdk-python-common, -redis and -sts (.ci/python-requirements.txt).
tests/fake/tests/interop_python.rs runs it and checks each case.
"""

import argparse
import json
import os
from urllib.parse import urlparse

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.redis.v20180412 import models, redis_client


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("endpoint")
    p.add_argument("--secret-id", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--role-arn", required=True)
    p.add_argument("--provider-id", required=True)
    p.add_argument("--token-file", required=True)
    p.add_argument("--instances", required=True, help="3 instance ids in the recycle bin")
    return p.parse_args()


def main():
    args = parse_args()
    url = urlparse(args.endpoint)
    instances = args.instances.split(",")
    with open(args.token_file) as f:
        token = f.read().strip()

    # The credential classes build `HttpProfile()` themselves, always https; the fake speaks
    # plain http on loopback. Only the scheme is changed: everything they send is theirs.
    class PlainHttpProfile(HttpProfile):
        def __init__(self, *a, **kw):
            kw.setdefault("protocol", url.scheme)
            super().__init__(*a, **kw)

    credential.HttpProfile = PlainHttpProfile

    def clean_up(cred, instance_id):
        http = HttpProfile(protocol=url.scheme, endpoint=url.netloc, reqTimeout=10)
        c = redis_client.RedisClient(cred, "ap-guangzhou", ClientProfile(httpProfile=http))
        req = models.CleanUpInstanceRequest()
        req.InstanceId = instance_id
        return c.CleanUpInstance(req)

    def use(cred, instance_id):
        tmp_id, tmp_key, tmp_token = cred.get_credential_info()
        task = clean_up(credential.Credential(tmp_id, tmp_key, tmp_token), instance_id)
        return {"tmp_secret_id": tmp_id, "task_id": task.TaskId}

    def assume_role():
        cred = credential.STSAssumeRoleCredential(
            args.secret_id, args.secret_key, args.role_arn, "python-session", 900,
            endpoint=url.netloc)
        return use(cred, instances[0])

    def oidc():
        cred = credential.OIDCRoleArnCredential(
            "ap-guangzhou", args.provider_id, token, args.role_arn, "python-oidc", 900,
            endpoint=url.netloc)
        return use(cred, instances[1])

    def tke_default_provider():
        os.environ.update({
            "TKE_REGION": "ap-guangzhou",
            "TKE_PROVIDER_ID": args.provider_id,
            "TKE_WEB_IDENTITY_TOKEN_FILE": args.token_file,
            "TKE_ROLE_ARN": args.role_arn,
        })
        cred = credential.DefaultTkeOIDCRoleArnProvider().get_credentials()
        cred.endpoint = url.netloc
        return use(cred, instances[2])

    def oidc_bad_token():
        cred = credential.OIDCRoleArnCredential(
            "ap-guangzhou", args.provider_id, "eyJ.not-the-token.sig", args.role_arn, "s", 900,
            endpoint=url.netloc)
        return {"tmp_secret_id": cred.get_credential_info()[0]}

    def assume_unknown_role():
        cred = credential.STSAssumeRoleCredential(
            args.secret_id, args.secret_key, "qcs::cam::uin/1:roleName/ghost", "s", 900,
            endpoint=url.netloc)
        return {"tmp_secret_id": cred.get_credential_info()[0]}

    cases = {
        "assume_role": assume_role,
        "oidc": oidc,
        "tke_default_provider": tke_default_provider,
        "oidc_bad_token": oidc_bad_token,
        "assume_unknown_role": assume_unknown_role,
    }
    for name, fn in cases.items():
        line = {"case": name, "code": None}
        try:
            line.update(fn())
        except TencentCloudSDKException as e:
            line.update(code=e.get_code(), message=e.get_message())
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
