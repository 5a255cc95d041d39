// Found by the long fuzz run (npm run fuzz -- --count 2000 --seed 1170000, model
// 1170993): a threads(2, ...) group named "a b" became the model values a_b1 and
// a_b2. TLC takes a model value whose name has "_" second as typed (type a) and
// refuses to compare it with a string ("tab_here", another thread's name): TLC
// failed on the spec with symmetry. Fixed in src/gen/view.ts: such a name takes
// a prefix (ta_b1, ta_b2).
import { build } from "../models.js";

export default build("typed-model-value-name", {
 "processes": [
  {
   "mmapPolicy": "fair",
   "mmapSem": true
  }
 ],
 "locks": [
  {
   "kind": "mutex",
   "process": 0
  }
 ],
 "vars": [
  {
   "kind": "enum",
   "values": 2,
   "init": 0
  }
 ],
 "regions": [
  {
   "process": 0,
   "pinned": false,
   "fault": 1,
   "tracked": "present"
  },
  {
   "process": 1,
   "pinned": true,
   "fault": null,
   "tracked": "present"
  }
 ],
 "procs": [
  [
   {
    "k": "either",
    "branches": [
     [
      {
       "k": "set",
       "v": 5,
       "value": {
        "k": "step",
        "up": true
       }
      },
      {
       "k": "gup",
       "region": 4,
       "write": false,
       "lockWrite": true
      }
     ],
     [
      {
       "k": "evict",
       "region": 5
      }
     ],
     [
      {
       "k": "set",
       "v": 3,
       "value": {
        "k": "step",
        "up": false
       }
      },
      {
       "k": "access",
       "region": 6,
       "op": 0,
       "onFault": [],
       "ret": null
      }
     ]
    ]
   },
   {
    "k": "loop",
    "c": {
     "k": "done",
     "thread": 2
    },
    "bound": 2,
    "body": [
     {
      "k": "lset",
      "l": 0,
      "value": {
       "k": "lit",
       "x": 3
      }
     },
     {
      "k": "call",
      "proc": 7
     }
    ]
   }
  ]
 ],
 "handler": [
  {
   "k": "faultif",
   "then": [
    {
     "k": "call",
     "proc": 6
    }
   ],
   "else": [
    {
     "k": "await",
     "c": {
      "k": "held",
      "lock": 0,
      "thread": 0,
      "mode": 2
     }
    }
   ]
  },
  {
   "k": "lset",
   "l": 1,
   "value": {
    "k": "copy",
    "from": 0
   }
  }
 ],
 "threads": [
  {
   "process": 0,
   "body": [
    {
     "k": "access",
     "region": 6,
     "op": 5,
     "onFault": [
      {
       "k": "crit",
       "lock": 3,
       "write": true,
       "body": [
        {
         "k": "access",
         "region": 3,
         "op": 1,
         "onFault": [],
         "ret": 0
        }
       ],
       "end": "unlock"
      },
      {
       "k": "loop",
       "c": {
        "k": "lit",
        "value": true
       },
       "bound": 2,
       "body": []
      }
     ],
     "ret": null
    },
    {
     "k": "access",
     "region": 6,
     "op": 1,
     "onFault": null,
     "ret": 0
    },
    {
     "k": "elem",
     "i": 2,
     "byLocal": 0,
     "write": true,
     "body": []
    },
    {
     "k": "call",
     "proc": 1
    }
   ]
  },
  {
   "process": 1,
   "body": [
    {
     "k": "try",
     "lock": 6,
     "write": false,
     "then": [
      {
       "k": "mmap",
       "proc": 4,
       "write": false,
       "body": [
        {
         "k": "lset",
         "l": 1,
         "value": {
          "k": "lit",
          "x": 1
         }
        },
        {
         "k": "set",
         "v": 7,
         "value": {
          "k": "lit",
          "x": 1
         }
        }
       ]
      }
     ],
     "else": [],
     "unlock": true
    },
    {
     "k": "set",
     "v": 7,
     "value": {
      "k": "lit",
      "x": 0
     }
    },
    {
     "k": "loop",
     "c": {
      "k": "local",
      "l": 2,
      "x": 0,
      "thread": 3
     },
     "bound": 2,
     "body": [
      {
       "k": "crit",
       "lock": 0,
       "write": false,
       "body": [
        {
         "k": "return"
        },
        {
         "k": "lset",
         "l": 2,
         "value": {
          "k": "copy",
          "from": 1
         }
        }
       ],
       "end": "unlock"
      },
      {
       "k": "call",
       "proc": 7
      }
     ]
    },
    {
     "k": "either",
     "branches": [
      [
       {
        "k": "gup",
        "region": 5,
        "write": true,
        "lockWrite": false
       }
      ],
      [
       {
        "k": "mmap",
        "proc": 1,
        "write": true,
        "body": [
         {
          "k": "access",
          "region": 6,
          "op": 3,
          "onFault": [],
          "ret": 2
         }
        ]
       },
       {
        "k": "faultif",
        "then": [],
        "else": [
         {
          "k": "lset",
          "l": 2,
          "value": {
           "k": "cond",
           "c": {
            "k": "done",
            "thread": 3
           }
          }
         },
         {
          "k": "await",
          "c": {
           "k": "or",
           "a": {
            "k": "lit",
            "value": true
           },
           "b": {
            "k": "implies",
            "a": {
             "k": "done",
             "thread": 0
            },
            "b": {
             "k": "local",
             "l": 1,
             "x": 0,
             "thread": 3
            }
           }
          }
         }
        ]
       }
      ],
      []
     ]
    }
   ]
  },
  {
   "process": 1,
   "body": [
    {
     "k": "nofault",
     "body": [
      {
       "k": "label",
       "label": 0
      },
      {
       "k": "if",
       "c": {
        "k": "lit",
        "value": true
       },
       "then": [
        {
         "k": "await",
         "c": {
          "k": "lit",
          "value": true
         }
        }
       ],
       "else": []
      }
     ]
    },
    {
     "k": "crit",
     "lock": 6,
     "write": true,
     "body": [],
     "end": "unlock"
    }
   ]
  }
 ],
 "invariants": [],
 "termination": false,
 "locals": [],
 "lockArray": {
  "kind": "mutex"
 },
 "clean": true,
 "hostile": 30,
 "varArray": {
  "kind": "int",
  "max": 1,
  "init": 1
 },
 "varArrayInvariant": null
});
