#!/usr/bin/env python3
"""Drive the fake Tencent Cloud Redis API with the official Python SDK.

Usage: official_sdk.py ENDPOINT --secret-id ID --secret-key KEY --temp-secret-id ID
       --temp-secret-key KEY --token TOKEN --instances A,B,C,D --running-instance R [--only CASE,...]

ENDPOINT is the fake's URL (http://127.0.0.1:PORT). Each case prints one JSON line:
{"case": ..., "code": <TencentCloudSDKException.get_code() or null>, "request_id": ...,
 "task_id": ..., "message": ...}. Requires tencentcloud-sdk-python-common and -redis
(.ci/python-requirements.txt). tests/fake/tests/interop_python.rs runs it and checks each code.
"""

import argparse
import json
import sys
import time
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
    p.add_argument("--temp-secret-id", required=True)
    p.add_argument("--temp-secret-key", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--instances", required=True, help="4 instance ids in the recycle bin")
    p.add_argument("--running-instance", required=True)
    p.add_argument("--only", default="", help="comma-separated case names")
    return p.parse_args()


def main():
    args = parse_args()
    url = urlparse(args.endpoint)
    bin_ids = args.instances.split(",")
    if len(bin_ids) < 4:
        sys.exit("--instances needs 4 ids")

    def client(secret_id=args.secret_id, secret_key=args.secret_key, token=None,
               region="ap-guangzhou", language="zh-CN", method="POST", unsigned=False):
        http = HttpProfile(protocol=url.scheme, endpoint=url.netloc, reqMethod=method, reqTimeout=10)
        profile = ClientProfile(httpProfile=http, language=language)
        profile.unsignedPayload = unsigned
        cred = credential.Credential(secret_id, secret_key, token)
        return redis_client.RedisClient(cred, region, profile)

    def clean_up(c, instance_id):
        req = models.CleanUpInstanceRequest()
        if instance_id is not None:
            req.InstanceId = instance_id
        return c.CleanUpInstance(req)

    def skewed(seconds, fn):
        real = time.time
        time.time = lambda: real() + seconds
        try:
            return fn()
        finally:
            time.time = real

    def wrong_version():
        c = client()
        c._apiVersion = "2017-03-12"
        return clean_up(c, bin_ids[0])

    def rate_limit():
        time.sleep(1.1)  # a fresh one-second window
        c = client()
        last = None
        for _ in range(60):
            try:
                clean_up(c, args.running_instance)
            except TencentCloudSDKException as e:
                last = e
                if e.get_code() == "RequestLimitExceeded":
                    break
        raise last

    temp = dict(secret_id=args.temp_secret_id, secret_key=args.temp_secret_key)
    cases = [
        ("success", lambda: clean_up(client(), bin_ids[0])),
        ("get_success", lambda: clean_up(client(method="GET"), bin_ids[1])),
        ("unsigned_payload_success", lambda: clean_up(client(unsigned=True), bin_ids[2])),
        ("token_success", lambda: clean_up(client(token=args.token, **temp), bin_ids[3])),
        ("wrong_key", lambda: clean_up(client(secret_key=args.secret_key + "x"), args.running_instance)),
        ("unknown_secret_id", lambda: clean_up(client(secret_id="AKIDunknown"), args.running_instance)),
        ("token_missing", lambda: clean_up(client(**temp), args.running_instance)),
        ("token_wrong", lambda: clean_up(client(token=args.token + "x", **temp), args.running_instance)),
        ("clock_600s_behind", lambda: skewed(-600, lambda: clean_up(client(), args.running_instance))),
        ("empty_id", lambda: clean_up(client(), "")),
        ("empty_id_en_us", lambda: clean_up(client(language="en-US"), "")),
        ("missing_id", lambda: clean_up(client(), None)),
        ("not_in_recycle_bin", lambda: clean_up(client(), args.running_instance)),
        ("already_cleaned", lambda: clean_up(client(), bin_ids[0])),
        ("unknown_instance", lambda: clean_up(client(), "cdb-notredis")),
        ("region_missing", lambda: clean_up(client(region=""), args.running_instance)),
        ("region_unsupported", lambda: clean_up(client(region="xx-nowhere"), args.running_instance)),
        ("unknown_action", lambda: client().call_json("DescribeNothing", {})),
        ("wrong_version", wrong_version),
        ("unknown_parameter", lambda: client().call_json(
            "CleanUpInstance", {"InstanceId": args.running_instance, "Force": True})),
        ("wrong_type", lambda: client().call_json("CleanUpInstance", {"InstanceId": 5})),
        ("rate_limit", rate_limit),
        # Run alone, with the fake's ContentTypeWithCharset fault set: the SDK skips its error
        # check (_check_error in common/abstract_client.py) and returns the error envelope as a
        # success without TaskId.
        ("charset_quirk", lambda: clean_up(client(), args.running_instance)),
    ]
    only = [c for c in args.only.split(",") if c]
    for name, run in cases:
        if (only and name not in only) or (not only and name == "charset_quirk"):
            continue
        line = {"case": name, "code": None, "request_id": None, "task_id": None, "message": None}
        try:
            result = run()
            line["request_id"] = getattr(result, "RequestId", None)
            line["task_id"] = getattr(result, "TaskId", None)
        except TencentCloudSDKException as e:
            line["code"] = e.get_code()
            line["request_id"] = e.get_request_id()
            line["message"] = e.get_message() if isinstance(e.get_message(), str) else repr(e.get_message())
        print(json.dumps(line, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
